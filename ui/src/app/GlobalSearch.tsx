import { Group, Kbd, Loader, Text, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { Spotlight, spotlight } from "@mantine/spotlight";
import {
  IconLayoutDashboard,
  IconListCheck,
  IconPlugConnected,
  IconRoute,
  IconSearch,
} from "@tabler/icons-react";
import { useState } from "react";

import type { Screen, SearchHit } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { useSearch } from "../lib/queries";
import { navigate } from "./router";
import classes from "./GlobalSearch.module.css";

const SEARCH_DEBOUNCE_MS = 250;

const GROUPS: { screen: Screen; label: string; icon: typeof IconRoute }[] = [
  { screen: "flows", label: "Flows", icon: IconRoute },
  { screen: "connections", label: "Connections", icon: IconPlugConnected },
  { screen: "audit", label: "Audit log", icon: IconListCheck },
  { screen: "overview", label: "Overview", icon: IconLayoutDashboard },
];

/** Where a hit leads: the screen, with the thing itself picked out there. */
function open(hit: SearchHit) {
  switch (hit.screen) {
    case "flows":
      navigate("flows", { flow: hit.key });
      break;
    case "audit":
      navigate("audit", { seq: hit.key });
      break;
    case "connections":
      navigate("connections", { provider: hit.key });
      break;
    case "overview":
      navigate("overview");
      break;
  }
}

/** The header's search field and the Ctrl+K palette it opens. */
export function GlobalSearch() {
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query, SEARCH_DEBOUNCE_MS);
  const search = useSearch(debounced);
  const typed = query.trim().length > 0;
  const hits = typed && debounced.trim() ? (search.data ?? []) : [];

  let body;
  if (!typed) {
    body = <Spotlight.Empty>Type a flow name, an audit action or an object id.</Spotlight.Empty>;
  } else if (search.isError) {
    body = (
      <Spotlight.Empty>
        <ErrorNotice error={search.error} bare />
      </Spotlight.Empty>
    );
  } else if (hits.length === 0) {
    body = (
      <Spotlight.Empty>
        {search.isFetching || debounced !== query
          ? "Searching…"
          : `Nothing matches “${query.trim()}”.`}
      </Spotlight.Empty>
    );
  } else {
    body = GROUPS.map(({ screen, label, icon: Icon }) => {
      const group = hits.filter((h) => h.screen === screen);
      if (group.length === 0) return null;
      return (
        <Spotlight.ActionsGroup key={screen} label={label}>
          {group.map((hit) => (
            <Spotlight.Action
              key={`${hit.screen}:${hit.key}`}
              label={hit.title}
              description={hit.detail}
              leftSection={<Icon size={18} aria-hidden />}
              onClick={() => open(hit)}
              data-testid={`search-hit-${hit.screen}-${hit.key}`}
            />
          ))}
        </Spotlight.ActionsGroup>
      );
    });
  }

  return (
    <>
      <UnstyledButton
        className={classes.trigger}
        data-testid="global-search"
        onClick={() => spotlight.open()}
        aria-label="Search flows and audit entries (Ctrl+K)"
        aria-haspopup="dialog"
      >
        <Group gap="xs" wrap="nowrap">
          <IconSearch size={16} aria-hidden />
          <Text size="sm" c="dimmed" className={classes.placeholder}>
            Search flows, runs, audit…
          </Text>
          <Kbd size="xs">Ctrl K</Kbd>
        </Group>
      </UnstyledButton>
      <Spotlight.Root
        query={query}
        onQueryChange={setQuery}
        shortcut="mod + K"
        scrollable
        maxHeight={420}
      >
        <Spotlight.Search
          placeholder="Search flows, runs, audit entries…"
          leftSection={<IconSearch size={18} aria-hidden />}
          rightSection={search.isFetching ? <Loader size="xs" /> : null}
          aria-label="Search"
          data-testid="global-search-input"
        />
        <Spotlight.ActionsList>{body}</Spotlight.ActionsList>
      </Spotlight.Root>
    </>
  );
}
