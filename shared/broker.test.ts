import { describe, expect, it } from 'vitest';
import { brokerConfig, DEAD_LETTER_QUEUE, FULFILMENT_QUEUE_ARGS, fulfilmentQueueArgs, parseOrderPaid } from './broker.ts';

describe('the fulfilment queue', () => {
  it('is a quorum queue on three replicas, dead-lettering at least once into the dead-letter queue', () => {
    expect(FULFILMENT_QUEUE_ARGS['x-queue-type']).toBe('quorum');
    expect(FULFILMENT_QUEUE_ARGS['x-quorum-initial-group-size']).toBe(3);
    expect(FULFILMENT_QUEUE_ARGS['x-dead-letter-routing-key']).toBe(DEAD_LETTER_QUEUE);
    // at-least-once dead-lettering is refused by RabbitMQ without reject-publish overflow
    expect(FULFILMENT_QUEUE_ARGS['x-dead-letter-strategy']).toBe('at-least-once');
    expect(FULFILMENT_QUEUE_ARGS['x-overflow']).toBe('reject-publish');
    expect(FULFILMENT_QUEUE_ARGS['x-delivery-limit']).toBeGreaterThan(1);
  });

  it('reads a paid order event, and nothing else', () => {
    const ok = Buffer.from(JSON.stringify({ orderId: 7, amount: '89.99', paidAt: '2026-12-04T05:00:00.000Z' }));
    expect(parseOrderPaid(ok)).toEqual({ orderId: 7, amount: '89.99', paidAt: '2026-12-04T05:00:00.000Z' });
    for (const bad of ['', 'not json', '{}', '{"orderId":0,"paidAt":"2026-12-04T05:00:00Z"}', '{"orderId":"7","paidAt":"2026-12-04T05:00:00Z"}', '{"orderId":7,"paidAt":"yesterday"}']) {
      expect(parseOrderPaid(Buffer.from(bad)), bad).toBeUndefined();
    }
  });

  it('takes the brokers from the environment, and none without RABBITMQ_HOSTS', () => {
    expect(brokerConfig({}, 'shop')).toBeUndefined();
    expect(brokerConfig({ RABBITMQ_HOSTS: 'rabbitmq-1, rabbitmq-2,,rabbitmq-3', RABBITMQ_PASSWORD: 'p' }, 'shop')).toEqual({
      hosts: ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'], port: 5672, user: 'shop', password: 'p', queueType: 'quorum',
    });
    expect(brokerConfig({ RABBITMQ_HOSTS: 'h', RABBITMQ_USER: 'worker' }, 'shop')?.user).toBe('worker');
  });

  it('declares a quorum queue unless FULFILMENT_QUEUE_TYPE names the classic weakening, and refuses any other type', () => {
    expect(brokerConfig({ RABBITMQ_HOSTS: 'h', FULFILMENT_QUEUE_TYPE: 'classic' }, 'shop')?.queueType).toBe('classic');
    expect(() => brokerConfig({ RABBITMQ_HOSTS: 'h', FULFILMENT_QUEUE_TYPE: 'stream' }, 'shop')).toThrow(/FULFILMENT_QUEUE_TYPE=stream is not quorum or classic/);
    expect(fulfilmentQueueArgs('quorum')).toBe(FULFILMENT_QUEUE_ARGS);
    const classic = fulfilmentQueueArgs('classic');
    expect(classic['x-queue-type']).toBe('classic');
    // the same dead-letter route and overflow; nothing a classic queue would refuse
    expect(classic['x-dead-letter-routing-key']).toBe(DEAD_LETTER_QUEUE);
    expect(classic['x-overflow']).toBe('reject-publish');
    expect(Object.keys(classic).filter((k) => k.startsWith('x-quorum') || k === 'x-delivery-limit' || k === 'x-dead-letter-strategy')).toEqual([]);
  });
});
