/**
 * The text of the canned answers: one explanation and the files of each app.
 * Kept apart from `apps.ts`, which chooses an answer and formats it.
 */
export type CodeFile = { language: string; path: string; code: string };

export const COUNTER_EXPLANATION =
  "Here’s a small counter ✨ One button adds one each time you click it, and the count lives in React state so it updates at once 🚀";

export const COUNTER_APP: CodeFile = {
  language: "tsx",
  path: "src/App.tsx",
  code: `
import { useState } from "react";
import "./styles.css";

export default function App() {
  const [count, setCount] = useState(0);

  return (
    <main className="counter">
      <h1>Counter ✨</h1>
      <button type="button" onClick={() => setCount(count + 1)}>
        Count: {count}
      </button>
      <p>Click the button; it’s that simple.</p>
    </main>
  );
}
`,
};

export const COUNTER_STYLES: CodeFile = {
  language: "css",
  path: "src/styles.css",
  code: `
.counter {
  font-family: system-ui, sans-serif;
  display: grid;
  place-items: center;
  gap: 1rem;
  padding: 3rem;
}

.counter button {
  font-size: 2rem;
  padding: 0.5rem 1.5rem;
  border-radius: 0.75rem;
  cursor: pointer;
}
`,
};

export const TODO_EXPLANATION =
  "Here’s a to-do list ✨ Type a task and press Add; tick a task to mark it done, and the footer counts what’s left 🚀";

export const TODO_APP: CodeFile = {
  language: "tsx",
  path: "src/App.tsx",
  code: `
import { useState } from "react";
import type { FormEvent } from "react";
import "./styles.css";

type Task = { id: number; title: string; done: boolean };

let nextId = 1;

export default function App() {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [title, setTitle] = useState("");

  function addTask(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) return;
    setTasks([...tasks, { id: nextId++, title: trimmed, done: false }]);
    setTitle("");
  }

  function toggle(id: number) {
    setTasks(tasks.map((task) => (task.id === id ? { ...task, done: !task.done } : task)));
  }

  const left = tasks.filter((task) => !task.done).length;

  return (
    <main className="todo">
      <h1>To-do ✅</h1>
      <form onSubmit={addTask}>
        <input
          aria-label="New task"
          placeholder="What’s next?"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
        <button type="submit">Add</button>
      </form>
      <ul>
        {tasks.map((task) => (
          <li key={task.id}>
            <label className={task.done ? "done" : undefined}>
              <input type="checkbox" checked={task.done} onChange={() => toggle(task.id)} />
              {task.title}
            </label>
          </li>
        ))}
      </ul>
      <p>{left} left</p>
    </main>
  );
}
`,
};

export const TODO_STYLES: CodeFile = {
  language: "css",
  path: "src/styles.css",
  code: `
.todo {
  font-family: system-ui, sans-serif;
  max-width: 28rem;
  margin: 2rem auto;
}

.todo form {
  display: flex;
  gap: 0.5rem;
}

.todo input:not([type="checkbox"]) {
  flex: 1;
  padding: 0.4rem;
}

.todo ul {
  list-style: none;
  padding: 0;
}

.todo .done {
  text-decoration: line-through;
  opacity: 0.6;
}
`,
};

export const LANDING_EXPLANATION =
  "Here’s a static landing page ✨ Plain HTML, CSS and a little JavaScript: a hero with a call to action, three feature cards and a footer 🚀";

export const LANDING_HTML: CodeFile = {
  language: "html",
  path: "index.html",
  code: `
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Lumen – notes that keep up</title>
    <link rel="stylesheet" href="style.css" />
  </head>
  <body>
    <header class="hero">
      <h1>Lumen ✨</h1>
      <p>Notes that keep up with you. It’s fast, calm and works offline.</p>
      <button id="cta" type="button">Get early access</button>
      <p id="thanks" hidden>Thanks! We’ll be in touch 🚀</p>
    </header>
    <section class="features">
      <article><h2>Fast</h2><p>Opens before you finish the thought.</p></article>
      <article><h2>Calm</h2><p>No badges, no noise, just your notes.</p></article>
      <article><h2>Yours</h2><p>Everything stays on your device.</p></article>
    </section>
    <footer>© <span id="year"></span> Lumen</footer>
    <script src="script.js"></script>
  </body>
</html>
`,
};

export const LANDING_STYLES: CodeFile = {
  language: "css",
  path: "style.css",
  code: `
body {
  margin: 0;
  font-family: system-ui, sans-serif;
  color: #1f2933;
}

.hero {
  padding: 4rem 1.5rem;
  text-align: center;
  background: linear-gradient(135deg, #fef3c7, #e0e7ff);
}

.hero button {
  font-size: 1.1rem;
  padding: 0.6rem 1.4rem;
  border-radius: 999px;
  cursor: pointer;
}

.features {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
  gap: 1rem;
  padding: 2rem 1.5rem;
}

footer {
  padding: 1rem;
  text-align: center;
  color: #52606d;
}
`,
};

export const LANDING_SCRIPT: CodeFile = {
  language: "js",
  path: "script.js",
  code: `
document.getElementById("year").textContent = String(new Date().getFullYear());

document.getElementById("cta").addEventListener("click", () => {
  document.getElementById("thanks").hidden = false;
});
`,
};

export const HELLO_EXPLANATION =
  "Here’s a small React app to start from ✨ It says hello and shows what you asked for; tell me more and I’ll grow it into the real thing 🚀";

/** `requestLiteral` is a JavaScript string literal, already escaped. */
export function helloApp(requestLiteral: string): CodeFile {
  return {
    language: "tsx",
    path: "src/App.tsx",
    code: `
import "./styles.css";

const request = ${requestLiteral};

export default function App() {
  return (
    <main className="hello">
      <h1>Hello ✨</h1>
      <p>You asked for:</p>
      <blockquote>{request}</blockquote>
    </main>
  );
}
`,
  };
}

export const HELLO_STYLES: CodeFile = {
  language: "css",
  path: "src/styles.css",
  code: `
.hello {
  font-family: system-ui, sans-serif;
  max-width: 32rem;
  margin: 3rem auto;
}

.hello blockquote {
  border-left: 4px solid #6366f1;
  margin: 0;
  padding-left: 1rem;
}
`,
};
