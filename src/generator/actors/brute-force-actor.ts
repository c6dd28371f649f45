/**
 * An attacker: bursts of failed logins against one account from a few IPs, seconds apart (enough for
 * failed_logins' `suspected_brute_force`), with quiet spells between bursts.
 */
import type { FailureReason } from '../../events/types.ts';
import { partitionOfKey } from '../kafka-partition.ts';
import type { Actor, Simulation } from '../simulation.ts';

/** One attacker per this many users (at least one). */
export const USERS_PER_ATTACKER = 2000;
/** A burst every five minutes or so per hundred users. */
const MEAN_QUIET_MS_PER_100_USERS = 300_000;

export class BruteForceActor implements Actor {
  private attemptsLeft = 0;
  private attempt = 0;
  private targetId = '';
  private targetPartition = 0;
  private ips: string[] = [];
  private knownUser = true;
  private ghostCount = 0;

  step(sim: Simulation): number {
    const { rng } = sim;
    if (this.attemptsLeft === 0) this.startBurst(sim);
    this.attempt++;
    this.attemptsLeft--;
    const reason: FailureReason = !this.knownUser
      ? 'unknown_user'
      : this.attempt > 10
        ? 'locked'
        : 'bad_password';
    const body = `,"ip":"${rng.pick(this.ips)}","failure_reason":"${reason}"`;
    sim.emit('lms.auth', 'login_failure', this.targetId, this.targetPartition, body);
    if (this.attemptsLeft > 0) return sim.nowMs + rng.intBetween(500, 6000);
    const meanQuietMs =
      (MEAN_QUIET_MS_PER_100_USERS * 100) / Math.min(sim.world.users.length, USERS_PER_ATTACKER);
    return sim.nowMs + 1000 + Math.round(rng.exponential(meanQuietMs));
  }

  private startBurst(sim: Simulation): void {
    const { rng, world } = sim;
    this.knownUser = rng.chance(0.8);
    if (this.knownUser) {
      const user = rng.pick(world.users);
      this.targetId = user.id;
      this.targetPartition = user.partition;
    } else {
      this.targetId = `${sim.options.userPrefix}-ghost-${this.ghostCount++}`;
      this.targetPartition = partitionOfKey(this.targetId, sim.options.partitions);
    }
    const ipCount = Math.min(world.attackerIps.length, rng.intBetween(1, 3));
    const first = rng.int(world.attackerIps.length);
    this.ips = [];
    for (let i = 0; i < ipCount; i++)
      this.ips.push(world.attackerIps[(first + i) % world.attackerIps.length]!);
    this.attemptsLeft = rng.intBetween(5, 25);
    this.attempt = 0;
  }
}
