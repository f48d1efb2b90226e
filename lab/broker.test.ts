import { describe, expect, it } from 'vitest';
import { brokerProblems, describeBroker, majorityOf, parseQueueList, type BrokerState } from './broker.ts';

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
      queues: [
        { queue: 'fulfilment', type: 'quorum', members: ['a', 'b', 'c'], online: ['a', 'c'], leader: 'rabbit@rabbitmq-3', messages: 4, unacked: 1, consumers: 2 },
        { queue: 'other', type: 'classic', members: ['rabbit@rabbitmq-2'], online: [], leader: 'rabbit@rabbitmq-2', messages: 0, unacked: 0, consumers: 0 },
      ],
    };
    expect(describeBroker(s)).toEqual([
      'RabbitMQ: rabbitmq-1 running, rabbitmq-2 down, rabbitmq-3 running',
      'queue fulfilment: 2/3 replicas online (leader rabbitmq-3), 4 ready, 1 unacked, 2 consumers',
      'queue other: CLASSIC, one copy on rabbitmq-2 (down), 0 ready, 0 unacked, 0 consumers',
    ]);
  });

  it('reads rabbitmqctl\'s queue table: a quorum queue\'s leader and replicas, a classic queue\'s node from its process id', () => {
    // as RabbitMQ 3.10.8 prints `list_queues -q --no-table-headers name type state pid leader members online`
    const out = [
      'fulfilment\tquorum\trunning\t<rabbit@rabbitmq-1.1796560004.883.0>\trabbit@rabbitmq-1\t[rabbit@rabbitmq-3, rabbit@rabbitmq-2, rabbit@rabbitmq-1]\t[rabbit@rabbitmq-3, rabbit@rabbitmq-1]',
      'fulfilment.dead\tquorum\trunning\t<rabbit@rabbitmq-1.1796560004.891.0>\t\t[rabbit@rabbitmq-1]\t[]',
      'probe-classic\tclassic\trunning\t<rabbit@rabbitmq-3.1796560140.526.0>\t\t\t',
      'gone\tclassic\tdown\t<rabbit@rabbitmq-2.1796560140.527.0>\t\t\t',
      // busy, not down: credit flow while it throttles publishers; a dotted (Swarm-like) host name
      'busy\tclassic\tflow\t<rabbit@rabbitmq-1.lab.internal.1796560140.528.0>\t\t\t\r',
      '',
    ].join('\n');
    expect(parseQueueList(out)).toEqual([
      { queue: 'fulfilment', type: 'quorum', leader: 'rabbitmq-1', members: ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'], online: ['rabbitmq-1', 'rabbitmq-3'] },
      { queue: 'fulfilment.dead', type: 'quorum', leader: undefined, members: ['rabbitmq-1'], online: [] },
      { queue: 'probe-classic', type: 'classic', leader: 'rabbitmq-3', members: ['rabbitmq-3'], online: ['rabbitmq-3'] },
      { queue: 'gone', type: 'classic', leader: 'rabbitmq-2', members: ['rabbitmq-2'], online: [] },
      { queue: 'busy', type: 'classic', leader: 'rabbitmq-1.lab.internal', members: ['rabbitmq-1.lab.internal'], online: ['rabbitmq-1.lab.internal'] },
    ]);
    // an answer that is not the table (so the next node is asked)
    expect(() => parseQueueList('Error: unable to perform an operation on node')).toThrow(/not a queue line/);
  });

  it("names a queue's leader only when most of the nodes agree on it", () => {
    expect(majorityOf(['rabbitmq-2', 'rabbitmq-2', undefined], 3)).toBe('rabbitmq-2');
    // a node cut off names itself; the other two the new leader
    expect(majorityOf(['rabbitmq-1', 'rabbitmq-3', 'rabbitmq-3'], 3)).toBe('rabbitmq-3');
    expect(majorityOf(['rabbitmq-1', 'rabbitmq-3', undefined], 3)).toBeUndefined();
    expect(majorityOf(['rabbitmq-1'], 3)).toBeUndefined();
  });
});
