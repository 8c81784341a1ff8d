import { Highlight } from "prism-react-renderer";
import { type KeyboardEvent, useRef, useState } from "react";
import { codeTheme, prismLanguage } from "./code-theme.ts";
import type { LineRange } from "./use-line-selection.ts";

export type HighlightedCodeProps = {
  code: string;
  language: string;
  range: LineRange | null;
  onSelectLine: (line: number, extend: boolean) => void;
};

/**
 * Highlighted source with a gutter of line-number buttons. The gutter is one
 * tab stop (roving tabindex): arrows move, Enter/Space select, Shift extends.
 */
export function HighlightedCode({ code, language, range, onSelectLine }: HighlightedCodeProps) {
  const [focusLine, setFocusLine] = useState(1);
  const gutterRef = useRef<HTMLOListElement>(null);

  const moveFocus = (event: KeyboardEvent<HTMLButtonElement>, line: number, lineCount: number) => {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 20, PageUp: -20 }[event.key];
    if (step === undefined) return;
    event.preventDefault();

    const next = Math.min(lineCount, Math.max(1, line + step));
    setFocusLine(next);
    if (event.shiftKey) onSelectLine(next, true);
    gutterRef.current?.querySelector<HTMLButtonElement>(`[data-line="${next}"]`)?.focus();
  };

  return (
    <Highlight
      code={withoutFinalNewline(code)}
      language={prismLanguage(language)}
      theme={codeTheme}
    >
      {({ tokens, getLineProps, getTokenProps, style }) => {
        const lines = tokens;
        const rovingLine = Math.min(focusLine, lines.length);

        return (
          <pre className="code" style={style}>
            <ol className="code__lines" ref={gutterRef}>
              {lines.map((line, index) => {
                const number = index + 1;
                const selected =
                  range !== null && number >= range.startLine && number <= range.endLine;
                return (
                  <li
                    // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
                    key={index}
                    {...getLineProps({ line })}
                    className={`code__line${selected ? " code__line--selected" : ""}`}
                  >
                    <button
                      type="button"
                      className="code__number"
                      data-line={number}
                      tabIndex={number === rovingLine ? 0 : -1}
                      aria-label={`Line ${number}`}
                      aria-pressed={selected}
                      onClick={(event) => {
                        setFocusLine(number);
                        onSelectLine(number, event.shiftKey);
                      }}
                      onKeyDown={(event) => moveFocus(event, number, lines.length)}
                    >
                      {number}
                    </button>
                    <span className="code__text">
                      {line.map((token, tokenIndex) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: tokens are positional
                        <span key={tokenIndex} {...getTokenProps({ token })} />
                      ))}
                      {"\n"}
                    </span>
                  </li>
                );
              })}
            </ol>
          </pre>
        );
      }}
    </Highlight>
  );
}

/** A file's final newline ends its last line; it does not start another. */
function withoutFinalNewline(code: string): string {
  return code.endsWith("\n") ? code.slice(0, -1) : code;
}
