/**
 * One thing a logged-in user does between videos and quizzes: view a course, open or download a
 * material, submit an assignment (and get it graded later), update the profile, enrol or leave.
 */
import type { Simulation } from '../simulation.ts';
import { popularIndex, type Course, type User } from '../world.ts';
import { GraderActor, gradingDelayMs } from './grader-actor.ts';

const PROFILE_FIELDS = [
  'display_name',
  'avatar',
  'bio',
  'timezone',
  'language',
  'email',
  'phone',
  'pronouns',
];
const PREFERENCE_FIELDS = [
  'email_notifications',
  'push_notifications',
  'theme',
  'digest_frequency',
  'autoplay',
  'captions',
];

export function pickCourse(sim: Simulation, user: User): Course {
  return sim.world.courses[sim.rng.pick(user.enrolled)]!;
}

function someFields(sim: Simulation, names: readonly string[]): string {
  const count = sim.rng.intBetween(1, 3);
  const start = sim.rng.int(names.length);
  const picked: string[] = [];
  for (let i = 0; i < count; i++) picked.push(`"${names[(start + i) % names.length]}"`);
  return picked.join(',');
}

/** Emits one browsing event for the user (session id as a JSON literal or `null`). */
export function browse(sim: Simulation, user: User, sessionJson: string): void {
  const { rng } = sim;
  const course = pickCourse(sim, user);
  const head = `,"session_id":${sessionJson},"course_id":"${course.id}"`;
  const roll = rng.next();
  if (roll < 0.35) {
    sim.emit('lms.course', 'course_viewed', user.id, user.partition, head);
  } else if (roll < 0.65) {
    const material = rng.pick(course.materials);
    const body = `${head},"material_id":"${material.id}","material_type":"${material.type}"`;
    sim.emit('lms.course', 'material_accessed', user.id, user.partition, body);
  } else if (roll < 0.77) {
    const material = rng.pick(course.materials);
    sim.emit(
      'lms.course',
      'resource_downloaded',
      user.id,
      user.partition,
      `${head},"material_id":"${material.id}","bytes":${material.bytes}`,
    );
  } else if (roll < 0.87) {
    submitAssignment(sim, user, course, head);
  } else if (roll < 0.93) {
    const type = rng.chance(0.5) ? 'profile_updated' : 'preferences_updated';
    const fields = someFields(sim, type === 'profile_updated' ? PROFILE_FIELDS : PREFERENCE_FIELDS);
    sim.emit(
      'lms.profile',
      type,
      user.id,
      user.partition,
      `,"session_id":${sessionJson},"fields":[${fields}]`,
    );
  } else {
    changeEnrolment(sim, user, sessionJson);
  }
}

function submitAssignment(sim: Simulation, user: User, course: Course, head: string): void {
  const assignment = sim.rng.pick(course.assignments);
  const submissionId = sim.newId('s');
  sim.emit(
    'lms.assessment',
    'assignment_submitted',
    user.id,
    user.partition,
    `${head},"assessment_id":"${assignment.id}","submission_id":"${submissionId}"`,
  );
  const delayMs = gradingDelayMs(sim.rng);
  if (delayMs >= 0)
    sim.schedule(new GraderActor(user, course, assignment, submissionId), sim.nowMs + delayMs);
}

function changeEnrolment(sim: Simulation, user: User, sessionJson: string): void {
  const { courses } = sim.world;
  const leave = user.enrolled.length > 1 && sim.rng.chance(0.3);
  if (leave) {
    const index = sim.rng.int(user.enrolled.length);
    const course = courses[user.enrolled[index]!]!;
    user.enrolled.splice(index, 1);
    sim.emit(
      'lms.course',
      'course_unenrolled',
      user.id,
      user.partition,
      `,"session_id":${sessionJson},"course_id":"${course.id}"`,
    );
    return;
  }
  const candidate = popularIndex(sim.rng.next(), courses.length);
  if (!user.enrolled.includes(candidate)) user.enrolled.push(candidate);
  // Re-enrolling in a course one already has is a real thing clients send; the view counts it.
  sim.emit(
    'lms.course',
    'course_enrolled',
    user.id,
    user.partition,
    `,"session_id":${sessionJson},"course_id":"${courses[candidate]!.id}"`,
  );
}
