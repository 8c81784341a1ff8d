/** Small inline icons: no icon font or emoji font is needed to draw them. */
const common = {
  width: 14,
  height: 14,
  viewBox: "0 0 16 16",
  fill: "none",
  stroke: "currentColor",
  strokeWidth: 1.5,
  strokeLinecap: "round",
  strokeLinejoin: "round",
  "aria-hidden": true,
  focusable: false,
} as const;

export function FileIcon() {
  return (
    <svg {...common} aria-hidden="true">
      <path d="M9 1.75H4.5a1 1 0 0 0-1 1v10.5a1 1 0 0 0 1 1h7a1 1 0 0 0 1-1V5.25L9 1.75Z" />
      <path d="M9 1.75v3.5h3.5" />
    </svg>
  );
}

export function PaperclipIcon() {
  return (
    <svg {...common} aria-hidden="true">
      <path d="m13.5 7.5-5.6 5.6a3.2 3.2 0 0 1-4.5-4.5l5.9-5.9a2.1 2.1 0 0 1 3 3l-5.9 5.9a1.1 1.1 0 0 1-1.5-1.5l5.3-5.3" />
    </svg>
  );
}

export function LinesIcon() {
  return (
    <svg {...common} aria-hidden="true">
      <path d="M2.5 4h11M2.5 8h11M2.5 12h6" />
    </svg>
  );
}
