import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from "react";

import type { ConsoleEvent } from "../bindings";

/** A live run as the engine's events describe it; `total` is null until the flow knows it. */
export interface RunProgress {
  runId: number;
  flow: string;
  done: number;
  total: number | null;
}

type Listener = () => void;

/** Live runs by flow name, fed by engine events and read by the Flows screen. */
export class RunProgressStore {
  private runs = new Map<string, RunProgress>();
  private listeners = new Set<Listener>();

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get(flow: string): RunProgress | undefined {
    return this.runs.get(flow);
  }

  /** Applies an engine event; returns whether it was about a run. */
  apply(event: ConsoleEvent): boolean {
    switch (event.type) {
      case "runStarted":
        this.set(event.flow, { runId: event.runId, flow: event.flow, done: 0, total: null });
        return true;
      case "runProgress":
        this.set(event.flow, {
          runId: event.runId,
          flow: event.flow,
          done: event.done,
          total: event.total,
        });
        return true;
      case "runFinished": {
        const current = this.runs.get(event.flow);
        // A late "finished" for an older run must not clear a newer run of the same flow.
        if (current && current.runId === event.runId) {
          this.runs = new Map(this.runs);
          this.runs.delete(event.flow);
          this.emit();
        }
        return true;
      }
      default:
        return false;
    }
  }

  private set(flow: string, progress: RunProgress) {
    const current = this.runs.get(flow);
    if (current && current.runId > progress.runId) return;
    this.runs = new Map(this.runs);
    this.runs.set(flow, progress);
    this.emit();
  }

  private emit() {
    for (const listener of this.listeners) listener();
  }
}

const RunProgressContext = createContext<RunProgressStore | null>(null);

export function RunProgressProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => new RunProgressStore());
  return <RunProgressContext.Provider value={store}>{children}</RunProgressContext.Provider>;
}

export function useRunProgressStore(): RunProgressStore {
  const store = useContext(RunProgressContext);
  if (!store) throw new Error("useRunProgressStore needs a RunProgressProvider above it");
  return store;
}

/** The live run of `flow`, if one is going. */
export function useRunProgress(flow: string): RunProgress | undefined {
  const store = useRunProgressStore();
  return useSyncExternalStore(store.subscribe, () => store.get(flow));
}
