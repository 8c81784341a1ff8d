import type { SandboxExecution, SandboxResult } from "../../../../contract/sandbox.ts";

/** What a Python run printed and returned: output, charts, tables, the error if any. */
export function SandboxResults({ execution }: { execution: SandboxExecution }) {
  return (
    <section className="sandbox-results" aria-label="Run results" data-testid="sandbox-results">
      {execution.stdout.length > 0 ? (
        <div>
          <h3 className="sandbox-results__title">Output</h3>
          <pre className="sandbox-results__stdout">{execution.stdout.join("")}</pre>
        </div>
      ) : null}
      {execution.stderr.length > 0 ? (
        <div>
          <h3 className="sandbox-results__title">Errors and warnings (stderr)</h3>
          <pre className="sandbox-results__stderr">{execution.stderr.join("")}</pre>
        </div>
      ) : null}
      {execution.results.map((result, index) => (
        // Results never reorder.
        // biome-ignore lint/suspicious/noArrayIndexKey: fixed list
        <RichResult key={index} result={result} index={index} />
      ))}
      {execution.error ? (
        <div role="alert">
          <h3 className="sandbox-results__title">
            {execution.error.name}: {execution.error.value}
          </h3>
          <pre className="sandbox-results__stderr">{execution.error.traceback}</pre>
        </div>
      ) : null}
    </section>
  );
}

function RichResult({ result, index }: { result: SandboxResult; index: number }) {
  if (result.png || result.jpeg) {
    const type = result.png ? "png" : "jpeg";
    return (
      <figure className="sandbox-result">
        <img
          src={`data:image/${type};base64,${result.png ?? result.jpeg}`}
          alt={result.text ?? `Chart ${index + 1}`}
        />
      </figure>
    );
  }
  if (result.html) {
    // Model-written HTML runs in a frame with no privileges, never in the app.
    return (
      <iframe
        className="sandbox-result sandbox-result--html"
        title={`Result ${index + 1}`}
        sandbox=""
        srcDoc={result.html}
      />
    );
  }
  return <pre className="sandbox-result">{result.text ?? result.markdown ?? ""}</pre>;
}
