import { type ThemeChoice, useTheme } from "./use-theme.ts";

const CHOICES: { value: ThemeChoice; label: string; icon: string }[] = [
  { value: "light", label: "Light", icon: "☀" },
  { value: "dark", label: "Dark", icon: "☾" },
  { value: "system", label: "System", icon: "◐" },
];

export function ThemeToggle() {
  const [theme, setTheme] = useTheme();

  return (
    <fieldset className="segmented" aria-label="Theme">
      {CHOICES.map((choice) => (
        <button
          key={choice.value}
          type="button"
          className="segmented__option"
          aria-pressed={theme === choice.value}
          aria-label={`${choice.label} theme`}
          title={`${choice.label} theme`}
          onClick={() => setTheme(choice.value)}
        >
          <span aria-hidden="true">{choice.icon}</span>
        </button>
      ))}
    </fieldset>
  );
}
