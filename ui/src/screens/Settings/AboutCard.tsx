import {
  Badge,
  Card,
  Code,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";

import type { AppInfo } from "../../bindings";
import { formatInteger } from "../../lib/format";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Group gap="md" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" w={140} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: "break-all" }}>
        {children}
      </Text>
    </Group>
  );
}

const DEMO_COUNTS: {
  key: keyof NonNullable<NonNullable<AppInfo["sandbox"]>["demo"]>;
  label: string;
}[] = [
  { key: "customers", label: "Stripe customers" },
  { key: "payments", label: "Stripe payments" },
  { key: "payees", label: "Payoneer payees" },
  { key: "paymentRequests", label: "Salesforce payment requests" },
  { key: "discrepancies", label: "Planted discrepancies" },
];

/** What this installation is; nothing secret lives in AppInfo, so all of it can be shown. */
export function AboutCard({ info }: { info: AppInfo }) {
  return (
    <Card data-testid="about">
      <Title order={3} size="h5" mb="md">
        About
      </Title>
      <Stack gap="sm">
        <Row label="Version">{info.version}</Row>
        <Row label="Profile">
          <Badge
            color={info.profile === "sandbox" ? "orange" : "green"}
            variant="light"
            radius="sm"
            tt="none"
          >
            {info.profile === "sandbox" ? "Sandbox" : "Production"}
          </Badge>
        </Row>
        <Row label="Data directory">
          <Code data-testid="about-data-dir">{info.dataDir}</Code>
        </Row>
      </Stack>

      {info.sandbox && (
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="lg" spacing="lg">
          <Stack gap={6}>
            <Text size="sm" fw={600}>
              Simulators
            </Text>
            <Table verticalSpacing={4} aria-label="Simulators" data-testid="about-simulators">
              <Table.Tbody>
                {info.sandbox.simulators.map((s) => (
                  <Table.Tr key={s.provider}>
                    <Table.Td>
                      <Text size="sm" tt="capitalize">
                        {s.provider}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>{s.baseUrl}</Code>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
          <Stack gap={6}>
            <Text size="sm" fw={600}>
              Demo data
            </Text>
            {info.sandbox.seeding ? (
              <Group gap="xs" data-testid="about-demo-seeding">
                <Loader size="xs" />
                <Text size="sm" c="dimmed">
                  Seeding demo data…
                </Text>
              </Group>
            ) : info.sandbox.seedingProblem ? (
              <Text size="sm" c="red" data-testid="about-demo-problem">
                Demo data could not be seeded: {info.sandbox.seedingProblem}
              </Text>
            ) : info.sandbox.demo ? (
              <Table verticalSpacing={4} aria-label="Demo data" data-testid="about-demo">
                <Table.Tbody>
                  {DEMO_COUNTS.map(({ key, label }) => (
                    <Table.Tr key={key}>
                      <Table.Td>
                        <Text size="sm">{label}</Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text size="sm">{formatInteger(info.sandbox?.demo?.[key] ?? 0)}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <Text size="sm" c="dimmed">
                This sandbox was started without demo data.
              </Text>
            )}
          </Stack>
        </SimpleGrid>
      )}
    </Card>
  );
}
