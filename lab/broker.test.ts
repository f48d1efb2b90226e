import { describe, expect, it } from 'vitest';
import { brokerProblems, describeBroker, majorityOf, type BrokerState } from './broker.ts';

const node = (i: number, running = true, alarm = false) => ({ name: `rabbit@rabbitmq-${i}`, running, alarm });

describe('the broker as stack up shows it', () => {
  it('is ready with three running nodes and no alarm', () => {
    expect(brokerProblems({ nodes: [node(1), node(2), node(3)], queues: [] })).toEqual([]);
  });

  it('names a missing node, an alarm and an unreadable API', () => {
    expect(brokerProblems({ nodes: [node(1, true, true), node(2, false)], queues: [] })).toEqual([
      'RabbitMQ: 1/3 nodes running',
      'RabbitMQ: rabbit@rabbitmq-1 has a resource alarm (publishers blocked)',
    ]);
    expect(brokerProblems({ nodes: [], queues: [], error: 'fetch failed' })).toEqual(['RabbitMQ management API: fetch failed']);
  });

  it('prints the nodes, then each queue with its replicas and leader', () => {
    const s: BrokerState = {
      nodes: [node(1), node(2, false), node(3)],
      queues: [{ queue: 'fulfilment', members: ['a', 'b', 'c'], online: ['a', 'c'], leader: 'rabbit@rabbitmq-3', messages: 4, unacked: 1, consumers: 2 }],
    };
    expect(describeBroker(s)).toEqual([
      'RabbitMQ: rabbitmq-1 running, rabbitmq-2 down, rabbitmq-3 running',
      'queue fulfilment: 2/3 replicas online (leader rabbitmq-3), 4 ready, 1 unacked, 2 consumers',
    ]);
  });

  it("names a queue's leader only when most of the nodes agree on it", () => {
    expect(majorityOf(['rabbitmq-2', 'rabbitmq-2', undefined], 3)).toBe('rabbitmq-2');
    // a node cut off names itself; the other two the new leader
    expect(majorityOf(['rabbitmq-1', 'rabbitmq-3', 'rabbitmq-3'], 3)).toBe('rabbitmq-3');
    expect(majorityOf(['rabbitmq-1', 'rabbitmq-3', undefined], 3)).toBeUndefined();
    expect(majorityOf(['rabbitmq-1'], 3)).toBeUndefined();
  });
});
