// The fulfilment pipeline's queue names (and the broker's configured disk limit), apart from shared/broker.ts so that what only names a
// queue (the drill catalog, loaded by every CLI start) does not load amqplib.
export const FULFILMENT_QUEUE = 'fulfilment';
export const DEAD_LETTER_QUEUE = 'fulfilment.dead';
/** The message type of a paid order's event (outbox.type). */
export const ORDER_PAID = 'order.paid';
/** The consumer group's name in processed_messages: every worker replica dedupes against it (worker/fulfil.ts), a restore re-arms the outbox by it (backup/pipeline.ts). */
export const FULFILMENT_CONSUMER = 'fulfilment';

/**
 * The disk-free limit rabbitmq/rabbitmq.conf sets (`disk_free_limit.absolute`; RabbitMQ's MB
 * is 10^6 bytes): what the disk-alarm drills put back and `chaos recover` restores.
 */
export const BROKER_DISK_FREE_LIMIT = { text: '256MB', bytes: 256_000_000 } as const;
