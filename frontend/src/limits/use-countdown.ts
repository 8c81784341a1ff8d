import { useEffect, useState } from "react";

function secondsUntil(resetAt: string | undefined): number {
  return resetAt ? Math.max(0, Math.ceil((Date.parse(resetAt) - Date.now()) / 1000)) : 0;
}

/** Whole seconds until `resetAt` (ISO), ticking once a second; 0 once it has passed or when unset. */
export function useCountdown(resetAt: string | undefined): number {
  const [seconds, setSeconds] = useState(() => secondsUntil(resetAt));

  useEffect(() => {
    setSeconds(secondsUntil(resetAt));
    if (!resetAt) return;
    const timer = setInterval(() => {
      const next = secondsUntil(resetAt);
      setSeconds(next);
      if (next === 0) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [resetAt]);

  return seconds;
}

/** "42 s", "3 min 5 s", "2 h 10 min", "4 days": how long until Send works again. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 172_800) {
    return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  }
  return `${Math.ceil(seconds / 86_400)} days`;
}
