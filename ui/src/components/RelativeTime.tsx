import { Tooltip } from "@mantine/core";

import { formatDateTime, formatRelative } from "../lib/format";
import { useNow } from "../lib/useNow";

/** "3 min. ago", kept current, with the exact local time on hover. */
export function RelativeTime({ iso }: { iso: string }) {
  const now = useNow();
  return (
    <Tooltip label={formatDateTime(iso, true)} openDelay={200}>
      <time dateTime={iso}>{formatRelative(iso, now)}</time>
    </Tooltip>
  );
}
