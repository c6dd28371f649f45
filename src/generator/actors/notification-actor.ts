/**
 * One notification's life: sent, then delivered seconds to minutes later (some after the 10-minute
 * join bound of delivery_status, some never), then sometimes clicked.
 */
import type { Channel } from '../../events/types.ts';
import { DONE, type Actor, type Simulation } from '../simulation.ts';

const SECOND_MS = 1000;
const CHANNELS: readonly Channel[] = ['email', 'push', 'in_app'];
export const NOTIFICATION_CATEGORIES = [
  'course_update',
  'assignment_due',
  'forum_reply',
  'reminder',
  'announcement',
];

const enum Stage {
  Send,
  Deliver,
  Click,
}

export class NotificationActor implements Actor {
  private stage = Stage.Send;
  private head = '';

  constructor(
    private readonly userId: string,
    private readonly partition: number,
    private readonly category: string,
  ) {}

  step(sim: Simulation): number {
    const { rng } = sim;
    switch (this.stage) {
      case Stage.Send: {
        const channel = rng.pick(CHANNELS);
        this.head = `,"notification_id":"${sim.newId('n')}","channel":"${channel}"`;
        sim.emit(
          'lms.notification',
          'notification_sent',
          this.userId,
          this.partition,
          `${this.head},"category":"${this.category}"`,
        );
        const roll = rng.next();
        if (roll < 0.05) return DONE; // never delivered
        this.stage = Stage.Deliver;
        if (roll < 0.7) return sim.nowMs + Math.round(rng.between(0.2, 30) * SECOND_MS);
        if (roll < 0.9) return sim.nowMs + Math.round(rng.between(30, 600) * SECOND_MS);
        return sim.nowMs + Math.round(rng.between(601, 1800) * SECOND_MS);
      }
      case Stage.Deliver:
        sim.emit('lms.notification', 'notification_delivered', this.userId, this.partition, this.head);
        if (!rng.chance(0.35)) return DONE;
        this.stage = Stage.Click;
        return sim.nowMs + Math.round(rng.between(2, 300) * SECOND_MS);
      case Stage.Click:
        sim.emit('lms.notification', 'notification_clicked', this.userId, this.partition, this.head);
        return DONE;
    }
  }
}

/** The LMS's own announcements and reminders: on average one per user every half hour. */
export class NotificationSource implements Actor {
  step(sim: Simulation): number {
    const user = sim.rng.pick(sim.world.users);
    const category = sim.rng.pick(NOTIFICATION_CATEGORIES);
    sim.schedule(new NotificationActor(user.id, user.partition, category), sim.nowMs);
    return sim.nowMs + 1 + Math.round(sim.rng.exponential(1_800_000 / sim.world.users.length));
  }
}
