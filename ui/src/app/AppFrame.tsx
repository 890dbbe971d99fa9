import {
  AppShell,
  Badge,
  Box,
  Center,
  Group,
  Kbd,
  Loader,
  NavLink,
  Stack,
  Text,
  Title,
  useMantineColorScheme,
} from "@mantine/core";
import { IconArrowsExchange } from "@tabler/icons-react";
import { Fragment, Suspense, useEffect } from "react";

import { ErrorNotice } from "../components/ErrorNotice";
import { useEngineActivity } from "../lib/engineActivity";
import { formatInteger } from "../lib/format";
import { ANY_FAILURE_SCOPE, useAppInfo, useFailureGroups } from "../lib/queries";
import { GlobalSearch } from "./GlobalSearch";
import { ProfileBadge } from "./ProfileBadge";
import { hrefFor, useRoute } from "./router";
import { SANDBOX_BANNER_HEIGHT, SandboxBanner } from "./SandboxBanner";
import { screenFor, screens } from "./screens";
import { ThemeControl } from "./ThemeControl";
import { useScreenHotkeys } from "./useScreenHotkeys";
import classes from "./AppFrame.module.css";

const HEADER_HEIGHT = 56;

/** The window's frame: header with profile, search and theme; the screens' navigation; the screen. */
export function AppFrame() {
  useEngineActivity();
  useScreenHotkeys();
  const route = useRoute();
  const screen = screenFor(route.path);
  const appInfo = useAppInfo();
  // The open failures, on every screen: read again whenever the queue changes.
  const failureGroups = useFailureGroups("open", ANY_FAILURE_SCOPE);
  const openFailures = failureGroups.data?.reduce((n, g) => n + g.count, 0) ?? 0;
  const { setColorScheme } = useMantineColorScheme();

  const theme = appInfo.data?.preferences.theme;
  useEffect(() => {
    if (theme) setColorScheme(theme);
  }, [theme, setColorScheme]);

  useEffect(() => {
    document.title = `${screen.label} · Paysync`;
  }, [screen.label]);

  const sandbox = appInfo.data?.profile === "sandbox";
  const Screen = screen.component;

  return (
    <AppShell
      header={{ height: HEADER_HEIGHT + (sandbox ? SANDBOX_BANNER_HEIGHT : 0) }}
      navbar={{ width: 220, breakpoint: 0 }}
      padding="lg"
    >
      <a href="#main" className={classes.skipLink}>
        Skip to content
      </a>
      <AppShell.Header>
        <Group h={HEADER_HEIGHT} px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <IconArrowsExchange size={24} color="var(--mantine-primary-color-filled)" aria-hidden />
            <Title order={1} size="h4" fw={700}>
              Paysync
            </Title>
            <ProfileBadge profile={appInfo.data?.profile} />
          </Group>
          <Group gap="md" wrap="nowrap">
            <GlobalSearch />
            <ThemeControl />
          </Group>
        </Group>
        {sandbox && <SandboxBanner />}
      </AppShell.Header>

      <AppShell.Navbar p="xs">
        <AppShell.Section grow component="nav" aria-label="Screens" data-testid="nav">
          {screens.map((s, i) => {
            const Icon = s.icon;
            const active = s.id === screen.id;
            return (
              <NavLink
                key={s.id}
                href={hrefFor(s.id)}
                label={s.label}
                leftSection={<Icon size={18} aria-hidden />}
                rightSection={
                  <Group gap={6} wrap="nowrap">
                    {s.id === "failures" && openFailures > 0 && (
                      <Badge
                        size="sm"
                        color="red"
                        variant="filled"
                        data-testid="nav-failures-badge"
                        aria-label={`${formatInteger(openFailures)} open failures`}
                      >
                        {openFailures > 999 ? "999+" : formatInteger(openFailures)}
                      </Badge>
                    )}
                    <Text size="xs" c="dimmed" aria-hidden>
                      Alt+{i + 1}
                    </Text>
                  </Group>
                }
                active={active}
                aria-current={active ? "page" : undefined}
                data-testid={`nav-${s.id}`}
                className={classes.navLink}
              />
            );
          })}
        </AppShell.Section>
        <AppShell.Section>
          <Stack gap={4} p="xs">
            <Text size="xs" c="dimmed">
              <Kbd size="xs">g</Kbd> then{" "}
              {screens.map((s) => (
                <Fragment key={s.id}>
                  <Kbd size="xs">{s.key}</Kbd>{" "}
                </Fragment>
              ))}
              switches screens
            </Text>
            {appInfo.data && (
              <Text size="xs" c="dimmed">
                Version {appInfo.data.version}
              </Text>
            )}
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main" tabIndex={-1} className={classes.main}>
        {appInfo.isError && (
          <Box mb="lg">
            <ErrorNotice
              title="Paysync could not start"
              error={appInfo.error}
              onRetry={() => void appInfo.refetch()}
            />
          </Box>
        )}
        <Suspense
          fallback={
            <Center h={240}>
              <Loader aria-label="Loading" />
            </Center>
          }
        >
          <Screen key={screen.id} />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
