import { Text } from "@mantine/core";

import type { FlowRow } from "../bindings";
import { useNow } from "../lib/useNow";
import { RelativeTime } from "./RelativeTime";

/** When a flow runs next: a time, "Due now" once it has passed, "Paused", or "On demand". */
export function NextDue({ flow }: { flow: Pick<FlowRow, "nextDue" | "schedule" | "paused"> }) {
  const now = useNow();
  if (flow.paused) {
    return (
      <Text size="sm" c="dimmed">
        Paused
      </Text>
    );
  }
  if (!flow.nextDue) {
    return (
      <Text size="sm" c="dimmed">
        {flow.schedule ? "Not scheduled" : "On demand"}
      </Text>
    );
  }
  if (Date.parse(flow.nextDue) <= now) return <Text size="sm">Due now</Text>;
  return (
    <Text size="sm">
      <RelativeTime iso={flow.nextDue} />
    </Text>
  );
}
