import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_FILE, LAB_IMAGES } from './config.ts';

interface Service { image?: string; build?: unknown }

describe('LAB_IMAGES', () => {
  it('names exactly the images docker-compose.yml builds itself', () => {
    const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
    const built = new Set(Object.values(compose.services).filter((s) => s.build !== undefined).map((s) => s.image));
    expect([...built].sort()).toEqual([...LAB_IMAGES].sort());
  });
});
