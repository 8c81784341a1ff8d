import Markdown, { type Components } from "react-markdown";

const components: Components = {
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noreferrer noopener" />,
};

export type AnswerMarkdownProps = { text: string };

/** Loaded lazily: react-markdown and its parser are the heaviest part of the chat. */
export default function AnswerMarkdown({ text }: AnswerMarkdownProps) {
  return (
    <div className="markdown">
      <Markdown components={components}>{text}</Markdown>
    </div>
  );
}
