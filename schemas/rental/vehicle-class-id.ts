import { nameBasedUuid } from '../../platform/identifiers';

/**
 * A vehicle class's policy has no id of its own, but commands need a Kafka key and the outbox an
 * aggregate uuid: a name-based uuid of the class gives both, the same in the gateway and the
 * rental processor.
 */
export function vehicleClassAggregateId(vehicleClass: string): string {
  return nameBasedUuid(`rental.vehicle-class:${vehicleClass}`);
}
