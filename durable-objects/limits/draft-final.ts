/**
 * Cheap draft → expensive final, on the routing config's model classes.
 * First answers go to the `draft` class when the config has one; "Improve"
 * (quality "final") escalates to the `final` class. A class the person
 * picked always wins.
 * TODO(later): escalate automatically when the generated code fails to run.
 */
export function modelClassFor(options: {
  model: string | undefined;
  quality?: "draft" | "final" | undefined;
  classes: string[];
}): string | undefined {
  if (options.model) return options.model;
  const wanted = options.quality === "final" ? "final" : "draft";
  return options.classes.includes(wanted) ? wanted : undefined;
}
