"use client";

import { ProtocolError, failureText } from "@repo/client";
import type { FlagChangesResponse, FlagsAdminResponse, FlagsPreviewResponse } from "@repo/protocol";
import { useCallback, useEffect, useMemo, useState } from "react";
import { serviceApi } from "@/lib/realtime";
import { flagOfRule, sameDocument, type FlagDocument } from "./flag-document";

/** A change is previewed this long after the last keystroke. */
const PREVIEW_DEBOUNCE_MS = 250;

/** Where an error belongs: a flag's card (by key), the reason field, or the whole form. */
export interface PlacedErrors {
  byFlag: Map<string, string>;
  reason: string | null;
  form: string | null;
}

const NO_ERRORS: PlacedErrors = { byFlag: new Map(), reason: null, form: null };

/** A typed refusal by the field it names: `/flags/<key>/…` to that flag, `reason` to the reason. */
export function placeErrors(error: unknown): PlacedErrors {
  if (!(error instanceof ProtocolError)) return { ...NO_ERRORS, form: failureText(error) };
  if (error.code === "conflict") return { ...NO_ERRORS, form: "The flags changed meanwhile: reload to edit the current version." };
  const byFlag = new Map<string, string>();
  let reason: string | null = null;
  for (const issue of error.issues ?? []) {
    if (issue.path[0] === "reason") reason = issue.message;
    const flag = flagOfRule(issue.message);
    if (flag) byFlag.set(flag, issue.message);
  }
  const placed = byFlag.size > 0 || reason !== null;
  return { byFlag, reason, form: placed ? null : failureText(error) };
}

function fetchConsole(): Promise<[FlagsAdminResponse, FlagChangesResponse]> {
  return Promise.all([serviceApi.flagsAdmin.flags(), serviceApi.flagsAdmin.changes({ limit: 20 })]);
}

export type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved"; flagsChanged: string[] } | { kind: "conflict" };

/**
 * The console's state: the definitions in force (and their etag), the operator's draft, its live
 * preview (debounced, the stale one aborted), the audit log, save and undo.
 */
export function useFlagsConsole() {
  const [loaded, setLoaded] = useState<FlagsAdminResponse | null>(null);
  const [draft, setDraft] = useState<FlagDocument | null>(null);
  const [changes, setChanges] = useState<FlagChangesResponse | null>(null);
  /** The last preview answer and the draft it was for (a newer draft shows none until its own arrives). */
  const [previewed, setPreviewed] = useState<{ draft: FlagDocument; answer: FlagsPreviewResponse | null; errors: PlacedErrors } | null>(null);
  const [saveErrors, setSaveErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [saveState, setSaveState] = useState<SaveState>({ kind: "idle" });
  const [loadError, setLoadError] = useState<unknown>(null);

  const apply = useCallback((flags: FlagsAdminResponse, log: FlagChangesResponse) => {
    setLoaded(flags);
    setDraft(flags.definitions);
    setChanges(log);
    setPreviewed(null);
    setSaveErrors(NO_ERRORS);
    setLoadError(null);
  }, []);

  const reload = useCallback(async () => {
    try {
      const [flags, log] = await fetchConsole();
      apply(flags, log);
    } catch (error) {
      setLoadError(error);
    }
  }, [apply]);

  useEffect(() => {
    let cancelled = false;
    fetchConsole().then(
      ([flags, log]) => {
        if (!cancelled) apply(flags, log);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [apply]);

  const dirty = useMemo(() => loaded !== null && draft !== null && !sameDocument(loaded.definitions, draft), [loaded, draft]);

  // The live preview of the draft: who among the users connected now it would move.
  useEffect(() => {
    if (!dirty || !draft) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      serviceApi.flagsAdmin.preview(draft, { signal: controller.signal }).then(
        (answer) => setPreviewed({ draft, answer, errors: NO_ERRORS }),
        (error: unknown) => {
          if (!controller.signal.aborted) setPreviewed({ draft, answer: null, errors: placeErrors(error) });
        },
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [dirty, draft]);

  async function save(reason: string): Promise<boolean> {
    if (!loaded || !draft) return false;
    setSaveState({ kind: "saving" });
    setSaveErrors(NO_ERRORS);
    try {
      const saved = await serviceApi.flagsAdmin.save({ definitions: draft, reason, etag: loaded.etag });
      await reload();
      setSaveState({ kind: "saved", flagsChanged: saved.flagsChanged });
      return true;
    } catch (error) {
      const conflict = error instanceof ProtocolError && error.code === "conflict";
      setSaveState(conflict ? { kind: "conflict" } : { kind: "idle" });
      setSaveErrors(placeErrors(error));
      return false;
    }
  }

  async function undo(reason: string): Promise<PlacedErrors | null> {
    if (!loaded) return null;
    try {
      await serviceApi.flagsAdmin.undo({ reason, etag: loaded.etag });
      await reload();
      setSaveState({ kind: "idle" });
      return null;
    } catch (error) {
      return placeErrors(error);
    }
  }

  return {
    loaded,
    draft,
    setDraft,
    discard: () => loaded && setDraft(loaded.definitions),
    dirty,
    changes,
    preview: dirty && previewed?.draft === draft ? previewed.answer : null,
    previewErrors: dirty && previewed?.draft === draft ? previewed.errors : NO_ERRORS,
    saveErrors,
    saveState,
    loadError,
    reload,
    save,
    undo,
  };
}
