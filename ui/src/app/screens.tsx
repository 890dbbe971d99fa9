import {
  IconAlertTriangle,
  IconCash,
  IconCreditCard,
  IconLayoutDashboard,
  IconListCheck,
  IconPlugConnected,
  IconRoute,
  IconScale,
  IconSettings,
  type Icon,
} from "@tabler/icons-react";
import { lazy, type ComponentType } from "react";

import { OverviewScreen } from "../screens/Overview/OverviewScreen";

export interface ScreenDef {
  /** The URL hash path, `#/<id>`. */
  id: string;
  label: string;
  icon: Icon;
  /** The second key of the `g <key>` shortcut. */
  key: string;
  component: ComponentType;
}

// The first screen is loaded with the app (it is what a cold start shows); the rest on first visit.
const FlowsScreen = lazy(() =>
  import("../screens/Flows/FlowsScreen").then((m) => ({ default: m.FlowsScreen })),
);
const PaymentsScreen = lazy(() =>
  import("../screens/Payments/PaymentsScreen").then((m) => ({ default: m.PaymentsScreen })),
);
const FailuresScreen = lazy(() =>
  import("../screens/Failures/FailuresScreen").then((m) => ({ default: m.FailuresScreen })),
);
const PayoutsScreen = lazy(() =>
  import("../screens/Payouts/PayoutsScreen").then((m) => ({ default: m.PayoutsScreen })),
);
const ReconciliationScreen = lazy(() =>
  import("../screens/Reconciliation/ReconciliationScreen").then((m) => ({
    default: m.ReconciliationScreen,
  })),
);
const ConnectionsScreen = lazy(() =>
  import("../screens/Connections/ConnectionsScreen").then((m) => ({
    default: m.ConnectionsScreen,
  })),
);
const AuditScreen = lazy(() =>
  import("../screens/Audit/AuditScreen").then((m) => ({ default: m.AuditScreen })),
);
const SettingsScreen = lazy(() =>
  import("../screens/Settings/SettingsScreen").then((m) => ({ default: m.SettingsScreen })),
);

/** The navigation, in order. A new screen is one line here; Alt+<position> reaches it. */
export const screens: readonly ScreenDef[] = [
  {
    id: "overview",
    label: "Overview",
    icon: IconLayoutDashboard,
    key: "o",
    component: OverviewScreen,
  },
  { id: "flows", label: "Flows", icon: IconRoute, key: "f", component: FlowsScreen },
  { id: "payments", label: "Payments", icon: IconCreditCard, key: "p", component: PaymentsScreen },
  {
    id: "failures",
    label: "Failures",
    icon: IconAlertTriangle,
    key: "d",
    component: FailuresScreen,
  },
  { id: "payouts", label: "Payouts", icon: IconCash, key: "y", component: PayoutsScreen },
  {
    id: "reconciliation",
    label: "Reconciliation",
    icon: IconScale,
    key: "r",
    component: ReconciliationScreen,
  },
  {
    id: "connections",
    label: "Connections",
    icon: IconPlugConnected,
    key: "c",
    component: ConnectionsScreen,
  },
  { id: "audit", label: "Audit", icon: IconListCheck, key: "a", component: AuditScreen },
  { id: "settings", label: "Settings", icon: IconSettings, key: "s", component: SettingsScreen },
];

export function screenFor(path: string): ScreenDef {
  return screens.find((s) => s.id === path) ?? (screens[0] as ScreenDef);
}
