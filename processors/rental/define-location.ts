import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isNullableString, isString, recordOf } from '../../platform/decoded';
import { checkTimeZone } from './local-time';
import { checkText, NAME_LENGTH_MAX, TEXT_LENGTH_MAX } from './rental-rules';
import { LOCATION_TYPES, type Location, type LocationType } from './rental-state';

/** rental.DefineLocation, as decoded from Avro. */
export interface DefineLocation {
  readonly locationId: string;
  readonly name: string;
  readonly type: string;
  readonly address: string | null;
  readonly timeZone: string;
}

export interface DefineLocationState {
  /** The location with this id, when it is being changed. */
  readonly existing: Location | undefined;
}

/** The location as it will be stored, from an accepted decision. */
export function definedLocation(command: DefineLocation): Location {
  const address = command.address?.trim() ?? '';
  return { id: command.locationId, name: command.name.trim(), type: command.type as LocationType, address: address === '' ? null : address, timeZone: command.timeZone };
}

/**
 * Defines a location or changes one: a name, a type and the IANA zone in which the days of rentals
 * picked up there are counted. Whether another location has the name is the unique key's call.
 */
export function decideDefineLocation(state: DefineLocationState, command: DefineLocation, context: CommandContext): Decision {
  const invalid =
    checkText('name', command.name, NAME_LENGTH_MAX, 'RENTAL.INVALID_LOCATION') ??
    (command.address !== null && command.address.length > TEXT_LENGTH_MAX ? reject('RENTAL.INVALID_LOCATION', `address must have at most ${TEXT_LENGTH_MAX} characters.`) : undefined);
  if (invalid !== undefined) return invalid;
  if (!(LOCATION_TYPES as readonly string[]).includes(command.type)) return reject('RENTAL.INVALID_LOCATION', `type must be one of ${LOCATION_TYPES.join(', ')}.`);
  const zoneProblem = checkTimeZone(command.timeZone);
  if (zoneProblem !== undefined) return reject('RENTAL.INVALID_TIME_ZONE', zoneProblem);
  const location = definedLocation(command);
  const unchanged = state.existing !== undefined && JSON.stringify(state.existing) === JSON.stringify(location);
  return {
    kind: 'accepted',
    aggregateId: location.id,
    resourcePath: '/v1/locations',
    // Defining a location exactly as it is changes nothing and announces nothing.
    events: unchanged
      ? []
      : [
          {
            type: 'rental.LocationDefined',
            aggregateType: 'location',
            aggregateId: location.id,
            payload: { locationId: location.id, name: location.name, type: location.type, address: location.address, timeZone: location.timeZone, definedAt: context.now.getTime() },
          },
        ],
  };
}

export function parseDefineLocation(value: unknown): DefineLocation {
  const field = recordOf('DefineLocation', value);
  return {
    locationId: field('locationId', isString),
    name: field('name', isString),
    type: field('type', isString),
    address: field('address', isNullableString),
    timeZone: field('timeZone', isString),
  };
}
