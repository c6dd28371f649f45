/**
 * CPU and memory over one measured phase: this process's CPU (process.cpuUsage), its peak RSS (sampled
 * every 250 ms), and the CPU of the stack's JVMs (Kafka, S3 server) that share the machine.
 */
import { processCpuSeconds } from './machine.ts';

export interface ResourceUsage {
  wallS: number;
  /** CPU seconds of this process (user + system). */
  cpuS: number;
  /** cpuS / wallS: how many cores this process kept busy. */
  cores: number;
  /** RSS when the phase began: what earlier phases left in this process (the load run is one process). */
  startRssMiB: number;
  peakRssMiB: number;
  /** CPU seconds of the local Kafka and S3 JVMs over the phase (0 for external services). */
  stackCpuS: number;
}

const SAMPLE_MS = 250;

export class ResourceMeter {
  private readonly startMs = performance.now();
  private readonly startCpu = process.cpuUsage();
  private readonly startStackCpuS: number;
  private readonly startRss = process.memoryUsage.rss();
  private peakRss = this.startRss;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly stackPids: readonly number[]) {
    this.startStackCpuS = this.stackCpuS();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
    return rss;
  }

  stop(): ResourceUsage {
    clearInterval(this.timer);
    this.sample();
    const wallS = (performance.now() - this.startMs) / 1000;
    const cpu = process.cpuUsage(this.startCpu);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    return {
      wallS: round(wallS, 2),
      cpuS: round(cpuS, 2),
      cores: round(cpuS / wallS, 2),
      startRssMiB: Math.round(this.startRss / 1024 ** 2),
      peakRssMiB: Math.round(this.peakRss / 1024 ** 2),
      stackCpuS: round(this.stackCpuS() - this.startStackCpuS, 2),
    };
  }

  private stackCpuS(): number {
    return this.stackPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  }
}

export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
