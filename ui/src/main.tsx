import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "@mantine/spotlight/styles.css";
import "@mantine/charts/styles.css";
import "./app/global.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { AppFrame } from "./app/AppFrame";
import { AppProviders } from "./app/AppProviders";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <AppProviders>
      <AppFrame />
    </AppProviders>
  </StrictMode>,
);
