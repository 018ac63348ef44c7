/**
 * One Kafka topic per producing service: a consumer that needs intake's facts
 * reads one topic, in the order intake wrote them per case. The trailing `v1`
 * versions the topic's layout (envelope, keying), not the events in it: event
 * versions live in the CloudEvents type.
 */
// `department`: department back-ends answering review's opinion requests (R-COLLAB-1); inbound only.
export const producers = ['catalog', 'intake', 'review', 'delivery', 'courier', 'evaluation', 'supervision', 'department'] as const;
export type Producer = (typeof producers)[number];

export const topicOf = (producer: Producer): string => `govsvc.${producer}.events.v1`;

/** Where messages that could not be handled end up (the consumer runner writes them). */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

/** CloudEvents `source` of a producing service. */
export const sourceOf = (producer: Producer): string => `/govsvc/${producer}`;

/** Partition count the topics are created with: enough parallelism for one consumer per partition on this scale. */
export const defaultPartitions = 6;
