import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { eventually } from './eventually';

/** Waits until consumer group `groupId` has settled with `count` members (its partitions were moved). */
export async function membersAre(admin: KafkaJS.Admin, groupId: string, count: number): Promise<void> {
  await eventually(
    async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.members.length === count ? true : undefined;
    },
    60_000,
    `${count} members in ${groupId}`,
  );
}
