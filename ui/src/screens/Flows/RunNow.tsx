import { Button, Progress, Stack, Text } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";

import { formatInteger } from "../../lib/format";
import { useRunProgress } from "../../lib/runProgress";

interface RunNowProps {
  flow: string;
  /** This console asked for a run that has not finished yet. */
  starting: boolean;
  onRun: () => void;
}

/** Run now, and while a run of the flow is going (from here or its schedule) its live progress. */
export function RunNow({ flow, starting, onRun }: RunNowProps) {
  const progress = useRunProgress(flow);
  const running = starting || progress !== undefined;
  const total = progress?.total ?? null;
  const known = progress !== undefined && total !== null && total > 0;
  const percent = known ? Math.min(100, (progress.done / total) * 100) : 100;

  let words = "Starting…";
  if (progress && known)
    words = `${formatInteger(progress.done)} of ${formatInteger(total)} records`;
  else if (progress && progress.done > 0) words = `${formatInteger(progress.done)} records so far`;
  else if (progress) words = "Running…";

  return (
    <Stack gap={4} w={180}>
      <Button
        size="xs"
        variant="light"
        leftSection={<IconPlayerPlay size={14} aria-hidden />}
        onClick={onRun}
        disabled={running}
        loading={starting && !progress}
        data-testid={`run-flow-${flow}`}
        aria-label={`Run ${flow} now`}
      >
        {running ? "Running" : "Run now"}
      </Button>
      {running && (
        <>
          <Progress
            data-testid={`run-progress-${flow}`}
            data-done={progress?.done ?? 0}
            data-total={total ?? undefined}
            value={percent}
            // Until the flow knows how much there is, the bar moves without claiming a share.
            animated={!known}
            striped={!known}
            size="sm"
            aria-label={`${flow} progress: ${words}`}
          />
          <Text size="xs" c="dimmed" aria-live="polite">
            {words}
          </Text>
        </>
      )}
    </Stack>
  );
}
