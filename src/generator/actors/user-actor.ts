/**
 * A student: logs in (now and then after a typo), browses, watches videos (play, a heartbeat every
 * 10 s of playing, pauses, seeks, complete), takes quizzes, refreshes the token every few minutes,
 * and logs out or just goes quiet (timeout). One activity at a time, like a person.
 */
import type { Simulation, Actor } from '../simulation.ts';
import type { Course, User, Video } from '../world.ts';
import { browse, pickCourse } from './course-activity.ts';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const HEARTBEAT_S = 10;

const enum Mode {
  Offline,
  Browsing,
  Watching,
  Paused,
  Quiz,
}

export class UserActor implements Actor {
  private mode = Mode.Offline;
  private sessionJson = 'null';
  private sessionEndMs = 0;
  private nextRefreshMs = Infinity;
  private nextActionMs = 0;
  private course: Course | null = null;
  private video: Video | null = null;
  private positionS = 0;
  private quizHead = '';
  private quizMaxScore = 0;

  constructor(private readonly user: User) {}

  /** Puts the user mid-day at the start of the run: some online mid-session (some mid-video), some away. */
  warmStart(sim: Simulation): number {
    const { rng } = sim;
    const now = sim.nowMs;
    if (rng.chance(0.55)) return now + Math.round(rng.exponential(20 * MINUTE_MS));
    this.openSession(sim, rng.between(1, 45) * MINUTE_MS);
    this.nextRefreshMs = now + rng.int(5 * MINUTE_MS);
    if (rng.chance(0.4)) {
      this.startVideo(sim, false);
      this.positionS = rng.int(this.video!.durationS);
      this.nextActionMs = now + rng.int(HEARTBEAT_S * SECOND_MS);
    } else {
      this.nextActionMs = now + rng.int(30 * SECOND_MS);
    }
    return Math.min(this.nextActionMs, this.nextRefreshMs);
  }

  step(sim: Simulation): number {
    const now = sim.nowMs;
    if (now >= this.nextRefreshMs) {
      this.emitAuth(sim, 'token_refresh', '');
      this.nextRefreshMs = now + sim.rng.intBetween(4 * MINUTE_MS, 6 * MINUTE_MS);
    }
    if (now >= this.nextActionMs) this.act(sim);
    return this.mode === Mode.Offline ? this.nextActionMs : Math.min(this.nextActionMs, this.nextRefreshMs);
  }

  private act(sim: Simulation): void {
    switch (this.mode) {
      case Mode.Offline:
        return this.login(sim);
      case Mode.Browsing:
        return this.browseOrLeave(sim);
      case Mode.Watching:
        return this.playOn(sim);
      case Mode.Paused:
        return this.resume(sim);
      case Mode.Quiz:
        return this.finishQuiz(sim);
    }
  }

  private emitAuth(sim: Simulation, type: 'login_success' | 'token_refresh' | 'logout', extra: string): void {
    sim.emit(
      'lms.auth',
      type,
      this.user.id,
      this.user.partition,
      `,"session_id":${this.sessionJson}${extra}`,
    );
  }

  private openSession(sim: Simulation, lengthMs: number): void {
    this.mode = Mode.Browsing;
    this.sessionJson = `"${sim.newId('x')}"`;
    this.sessionEndMs = sim.nowMs + Math.round(lengthMs);
  }

  private login(sim: Simulation): void {
    const { rng } = sim;
    const { user } = this;
    if (rng.chance(0.08)) {
      const reason = rng.chance(0.7) ? 'bad_password' : 'mfa_failed';
      sim.emit(
        'lms.auth',
        'login_failure',
        user.id,
        user.partition,
        `,"ip":"${user.ip}","failure_reason":"${reason}"`,
      );
      this.nextActionMs = sim.nowMs + rng.intBetween(3 * SECOND_MS, 40 * SECOND_MS);
      return;
    }
    this.openSession(sim, rng.between(3, 35) * MINUTE_MS);
    const agent = rng.chance(0.8) ? `,"user_agent":${user.userAgentJson}` : '';
    this.emitAuth(sim, 'login_success', `,"ip":"${user.ip}"${agent}`);
    this.nextRefreshMs = sim.nowMs + rng.intBetween(4 * MINUTE_MS, 6 * MINUTE_MS);
    this.nextActionMs = sim.nowMs + rng.intBetween(1 * SECOND_MS, 15 * SECOND_MS);
  }

  private logoutOrTimeout(sim: Simulation): void {
    if (sim.rng.chance(0.75)) this.emitAuth(sim, 'logout', '');
    this.mode = Mode.Offline;
    this.sessionJson = 'null';
    this.nextRefreshMs = Infinity;
    this.nextActionMs = sim.nowMs + MINUTE_MS + Math.round(sim.rng.exponential(20 * MINUTE_MS));
  }

  private browseOrLeave(sim: Simulation): void {
    if (sim.nowMs >= this.sessionEndMs) return this.logoutOrTimeout(sim);
    const roll = sim.rng.next();
    if (roll < 0.15) return this.startVideo(sim, true);
    if (roll < 0.23) return this.startQuiz(sim);
    browse(sim, this.user, this.sessionJson);
    this.nextActionMs = sim.nowMs + sim.rng.intBetween(4 * SECOND_MS, 30 * SECOND_MS);
  }

  private videoHead(): string {
    return `,"session_id":${this.sessionJson},"course_id":"${this.course!.id}","video_id":"${this.video!.id}"`;
  }

  private startVideo(sim: Simulation, play: boolean): void {
    const course = pickCourse(sim, this.user);
    this.course = course;
    this.video = course.videos[Math.floor(sim.rng.next() ** 2 * course.videos.length)]!;
    this.positionS = 0;
    this.mode = Mode.Watching;
    if (play) this.resume(sim);
  }

  /** Plays from the current position; the next heartbeat comes after 10 s of playing (or at the end). */
  private resume(sim: Simulation): void {
    sim.emit(
      'lms.video',
      'video_play',
      this.user.id,
      this.user.partition,
      `${this.videoHead()},"position_s":${this.positionS}`,
    );
    this.mode = Mode.Watching;
    this.nextActionMs = sim.nowMs + Math.min(HEARTBEAT_S, this.video!.durationS - this.positionS) * SECOND_MS;
  }

  /** A heartbeat for the seconds played since the last one, then maybe complete, pause, seek or leave. */
  private playOn(sim: Simulation): void {
    const { rng } = sim;
    const { user } = this;
    const video = this.video!;
    const watchedS = Math.min(HEARTBEAT_S, video.durationS - this.positionS);
    this.positionS += watchedS;
    const head = this.videoHead();
    sim.emit(
      'lms.video',
      'video_heartbeat',
      user.id,
      user.partition,
      `${head},"position_s":${this.positionS},"watched_s":${watchedS}`,
    );
    if (this.positionS >= video.durationS) {
      sim.emit('lms.video', 'video_complete', user.id, user.partition, head);
      return this.backToBrowsing(sim);
    }
    const roll = rng.next();
    if (roll < 0.04) {
      sim.emit('lms.video', 'video_pause', user.id, user.partition, `${head},"position_s":${this.positionS}`);
      this.mode = Mode.Paused;
      this.nextActionMs = sim.nowMs + rng.intBetween(3 * SECOND_MS, 90 * SECOND_MS);
      return;
    }
    if (roll < 0.07) {
      sim.emit('lms.video', 'video_pause', user.id, user.partition, `${head},"position_s":${this.positionS}`);
      return this.backToBrowsing(sim);
    }
    if (roll < 0.1) {
      const toS = rng.chance(0.7)
        ? Math.min(video.durationS - 1, this.positionS + rng.intBetween(10, 300))
        : rng.int(this.positionS);
      sim.emit(
        'lms.video',
        'video_seek',
        user.id,
        user.partition,
        `${head},"from_s":${this.positionS},"to_s":${toS}`,
      );
      this.positionS = toS;
    }
    this.nextActionMs = sim.nowMs + Math.min(HEARTBEAT_S, video.durationS - this.positionS) * SECOND_MS;
  }

  private startQuiz(sim: Simulation): void {
    const course = pickCourse(sim, this.user);
    const quiz = sim.rng.pick(course.quizzes);
    this.quizHead = `,"session_id":${this.sessionJson},"course_id":"${course.id}","assessment_id":"${quiz.id}","attempt_id":"${sim.newId('t')}"`;
    this.quizMaxScore = quiz.maxScore;
    sim.emit('lms.assessment', 'quiz_started', this.user.id, this.user.partition, this.quizHead);
    this.mode = Mode.Quiz;
    this.nextActionMs = sim.nowMs + sim.rng.intBetween(1 * MINUTE_MS, 12 * MINUTE_MS);
  }

  private finishQuiz(sim: Simulation): void {
    const { rng } = sim;
    if (rng.chance(0.92)) {
      const score = rng.intBetween(0, this.quizMaxScore);
      const body = `${this.quizHead},"score":${score},"max_score":${this.quizMaxScore}`;
      sim.emit('lms.assessment', 'quiz_completed', this.user.id, this.user.partition, body);
    }
    this.backToBrowsing(sim);
  }

  private backToBrowsing(sim: Simulation): void {
    this.mode = Mode.Browsing;
    this.nextActionMs = sim.nowMs + sim.rng.intBetween(3 * SECOND_MS, 30 * SECOND_MS);
  }
}
