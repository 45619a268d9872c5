import { Fragment, useMemo } from "react";
import { linkify } from "@/lib/linkify";

/**
 * Chat text as React text nodes, with http(s) URLs as links that open in a new tab without
 * giving it a handle on this one (noopener), the referrer (noreferrer), or ranking (nofollow).
 * Never HTML: `<img onerror=…>` shows as those characters.
 */
export function LinkifiedText({ text }: { text: string }) {
  const segments = useMemo(() => linkify(text), [text]);
  return (
    <>
      {segments.map((segment, index) =>
        segment.kind === "link" ? (
          <a
            key={index}
            href={segment.href}
            target="_blank"
            rel="noopener noreferrer nofollow"
            className="break-all text-blue-700 underline underline-offset-2 hover:text-blue-900 dark:text-blue-400 dark:hover:text-blue-300"
          >
            {segment.text}
          </a>
        ) : (
          <Fragment key={index}>{segment.text}</Fragment>
        ),
      )}
    </>
  );
}
