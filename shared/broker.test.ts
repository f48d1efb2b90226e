import { describe, expect, it } from 'vitest';
import { brokerConfig, DEAD_LETTER_QUEUE, FULFILMENT_QUEUE_ARGS, parseOrderPaid } from './broker.ts';

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
      hosts: ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'], port: 5672, user: 'shop', password: 'p',
    });
    expect(brokerConfig({ RABBITMQ_HOSTS: 'h', RABBITMQ_USER: 'worker' }, 'shop')?.user).toBe('worker');
  });
});
