// The fulfilment pipeline's queue names, apart from shared/broker.ts so that what only names a
// queue (the drill catalog, loaded by every CLI start) does not load amqplib.
export const FULFILMENT_QUEUE = 'fulfilment';
export const DEAD_LETTER_QUEUE = 'fulfilment.dead';
