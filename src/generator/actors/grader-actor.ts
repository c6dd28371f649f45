/** A teaching assistant grading one submission some minutes after it came in (sometimes never). */
import type { Prng } from '../prng.ts';
import { DONE, type Actor, type Simulation } from '../simulation.ts';
import type { Assessment, Course, User } from '../world.ts';
import { NotificationActor } from './notification-actor.ts';

const MINUTE_MS = 60_000;

/**
 * Minutes from submission to grade: often within 5, often within 30, a fifth after the 30-minute join
 * bound of grading_queue, and a tenth never (returns -1).
 */
export function gradingDelayMs(rng: Prng): number {
  const roll = rng.next();
  if (roll < 0.1) return -1;
  if (roll < 0.45) return Math.round(rng.between(1, 5) * MINUTE_MS);
  if (roll < 0.8) return Math.round(rng.between(5, 30) * MINUTE_MS);
  return Math.round(rng.between(30.01, 60) * MINUTE_MS);
}

export class GraderActor implements Actor {
  constructor(
    private readonly student: User,
    private readonly course: Course,
    private readonly assignment: Assessment,
    private readonly submissionId: string,
  ) {}

  step(sim: Simulation): number {
    const { rng } = sim;
    const maxScore = this.assignment.maxScore;
    const score = Math.round(rng.between(0.3, 1) * maxScore * 10) / 10;
    const body =
      `,"course_id":"${this.course.id}","assessment_id":"${this.assignment.id}","submission_id":"${this.submissionId}",` +
      `"score":${score},"max_score":${maxScore},"grader_id":"${rng.pick(this.course.graderIds)}"`;
    sim.emit('lms.assessment', 'assignment_graded', this.student.id, this.student.partition, body);
    if (rng.chance(0.5))
      sim.schedule(new NotificationActor(this.student.id, this.student.partition, 'grade_posted'), sim.nowMs);
    return DONE;
  }
}
