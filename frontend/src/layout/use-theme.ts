import { useCallback, useState } from "react";

export type ThemeChoice = "light" | "dark" | "system";

const STORAGE_KEY = "kiln.theme";

/**
 * The choice is applied as `data-theme` on <html>; the CSS maps it to
 * `color-scheme`, so "system" follows the OS without any script.
 * index.html applies the stored choice before first paint.
 */
export function useTheme() {
  const [theme, setThemeState] = useState<ThemeChoice>(readTheme);

  const setTheme = useCallback((next: ThemeChoice) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.dataset.theme = next;
    setThemeState(next);
  }, []);

  return [theme, setTheme] as const;
}

function readTheme(): ThemeChoice {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}
