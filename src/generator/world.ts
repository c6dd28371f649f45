/**
 * The simulated LMS: users and courses (with materials, videos, quizzes and assignments), built once
 * with a seeded faker. Everything per event is drawn later from the fast PRNG; this is the setup.
 */
import { Faker, base, en } from '@faker-js/faker';
import type { MaterialType } from '../events/types.ts';
import { partitionOfKey } from './kafka-partition.ts';
import type { GeneratorOptions } from './options.ts';

export interface Material {
  id: string;
  type: MaterialType;
  /** Download size; pages are small, PDFs and slides larger. */
  bytes: number;
}

export interface Video {
  id: string;
  durationS: number;
}

export interface Assessment {
  id: string;
  maxScore: number;
}

export interface Course {
  id: string;
  graderIds: string[];
  materials: Material[];
  videos: Video[];
  quizzes: Assessment[];
  assignments: Assessment[];
}

export interface User {
  id: string;
  /** The partition of `id` under Kafka's default partitioner (the same number on every topic). */
  partition: number;
  ip: string;
  /** The user agent as a JSON string literal (quotes included), ready to splice into a value. */
  userAgentJson: string;
  /** Indices into World.courses. */
  enrolled: number[];
}

export interface World {
  users: User[];
  courses: Course[];
  /** The few addresses brute-force bursts come from. */
  attackerIps: string[];
}

const MATERIAL_TYPES: readonly MaterialType[] = ['page', 'pdf', 'slides', 'quiz_page'];
const USER_AGENT_POOL_SIZE = 48;

function range<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => make(index));
}

function buildCourse(faker: Faker, index: number): Course {
  const id = `c-${index}-${faker.word
    .noun({ length: { min: 3, max: 10 } })
    .toLowerCase()
    .replace(/[^a-z]/g, '')}`;
  return {
    id,
    graderIds: range(faker.number.int({ min: 1, max: 3 }), (g) => `g-${index}-${g}`),
    materials: range(faker.number.int({ min: 4, max: 12 }), (m) => {
      const type = faker.helpers.arrayElement(MATERIAL_TYPES);
      const bytes =
        type === 'pdf' || type === 'slides'
          ? faker.number.int({ min: 50_000, max: 30_000_000 })
          : faker.number.int({ min: 2_000, max: 200_000 });
      return { id: `m-${index}-${m}`, type, bytes };
    }),
    // Some short videos, so completions show up early in a run.
    videos: range(faker.number.int({ min: 3, max: 8 }), (v) => ({
      id: `v-${index}-${v}`,
      durationS: faker.helpers.weightedArrayElement([
        { weight: 3, value: faker.number.int({ min: 45, max: 240 }) },
        { weight: 5, value: faker.number.int({ min: 240, max: 900 }) },
        { weight: 2, value: faker.number.int({ min: 900, max: 2400 }) },
      ]),
    })),
    quizzes: range(faker.number.int({ min: 2, max: 5 }), (q) => ({
      id: `q-${index}-${q}`,
      maxScore: faker.helpers.arrayElement([10, 20, 25, 50, 100]),
    })),
    assignments: range(faker.number.int({ min: 2, max: 4 }), (a) => ({
      id: `a-${index}-${a}`,
      maxScore: faker.helpers.arrayElement([10, 20, 100]),
    })),
  };
}

/** A course index skewed towards the first courses, so some courses are popular and some quiet. */
export function popularIndex(uniform: number, count: number): number {
  return Math.min(count - 1, Math.floor(uniform * uniform * count));
}

export function buildWorld(options: GeneratorOptions): World {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(options.seed);
  const courses = range(options.courses, (index) => buildCourse(faker, index));
  const userAgents = range(USER_AGENT_POOL_SIZE, () => JSON.stringify(faker.internet.userAgent()));
  const width = String(options.users - 1).length;
  const users = range(options.users, (index): User => {
    const id = `${options.userPrefix}-${String(index).padStart(width, '0')}`;
    const enrolledCount = Math.min(options.courses, faker.number.int({ min: 2, max: 5 }));
    const enrolled = new Set<number>();
    while (enrolled.size < enrolledCount) enrolled.add(popularIndex(faker.number.float(), options.courses));
    return {
      id,
      partition: partitionOfKey(id, options.partitions),
      ip: faker.internet.ipv4(),
      userAgentJson: faker.helpers.arrayElement(userAgents),
      enrolled: [...enrolled],
    };
  });
  const attackerIps = range(faker.number.int({ min: 3, max: 5 }), () => faker.internet.ipv4());
  return { users, courses, attackerIps };
}
