import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import type { Session } from "../auth/session-store.ts";
import { useTeams } from "../auth/use-session.ts";
import { ConversationPicker } from "../chat/ConversationPicker.tsx";
import type { SelectionContext } from "../chat/selection-context.ts";
import { type SendInput, useChat } from "../chat/use-chat.ts";
import { useConversationParam } from "../chat/use-conversation-param.ts";
import { useConversations } from "../chat/use-conversations.ts";
import { Header } from "../layout/Header.tsx";
import { useIsOperator } from "../ops/use-operator.ts";
import { ChatPanel } from "./ChatPanel.tsx";
import { useWorkspaceFiles } from "./use-workspace-files.ts";

const CodeViewer = lazy(() => import("../code/CodeViewer.tsx"));
const PreviewPanel = lazy(() => import("../preview/PreviewPanel.tsx"));

export type WorkspacePageProps = { config: ClientConfig; session: Session };

export function WorkspacePage({ config, session }: WorkspacePageProps) {
  const teams = useTeams(true);
  const activeTeam = teams.find((team) => team.id === session.teamId);
  const readOnlyReason =
    activeTeam?.role === "viewer"
      ? `Your role in ${activeTeam.name} is viewer: you can read its conversations and usage, not send. An owner or admin can make you a member on the Team page.`
      : null;
  const isOperator = useIsOperator(true);
  const [conversationId, setConversationId] = useConversationParam();
  const conversations = useConversations(conversationId);
  const [contexts, setContexts] = useState<SelectionContext[]>([]);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  // Signed in and on the workspace: the next thing to do is to type.
  useEffect(() => textareaRef.current?.focus(), []);

  const [startedId, setStartedId] = useState<string | null>(null);
  const previewKey = usePreviewPanelKey(conversationId, startedId);

  const chat = useChat({
    conversationId,
    onConversationStarted: useCallback(
      (id: string) => {
        setStartedId(id);
        setConversationId(id, "replace");
      },
      [setConversationId],
    ),
    onAnswerSettled: conversations.refresh,
  });
  const workspace = useWorkspaceFiles({
    messages: chat.state.messages,
    template: chat.state.template,
  });

  const send = (input: SendInput) => {
    workspace.reset();
    setContexts([]);
    chat.send(input);
  };

  const openConversation = (id: string | null) => {
    workspace.reset();
    setContexts([]);
    setConversationId(id);
  };

  const attachContext = (context: SelectionContext) => {
    setContexts((current) => [...current, context]);
    textareaRef.current?.focus();
  };

  return (
    <div className="app">
      <Header config={config} email={session.user.email} operator={isOperator}>
        <ConversationPicker
          conversations={conversations.conversations}
          conversationId={conversationId}
          loaded={conversations.loaded}
          error={conversations.error?.message ?? null}
          onSelect={openConversation}
        />
      </Header>
      <main className="workspace">
        <ChatPanel
          chat={chat}
          contexts={contexts}
          textareaRef={textareaRef}
          readOnlyReason={readOnlyReason}
          onSend={send}
          onShowFile={workspace.showFile}
          onRemoveContext={(id) =>
            setContexts((current) => current.filter((context) => context.id !== id))
          }
        />
        <section className="work-column" aria-label="Workspace">
          <Suspense fallback={<div className="code-viewer code-viewer--empty" />}>
            <CodeViewer
              files={workspace.files}
              writing={workspace.writingFiles}
              selectedPath={workspace.selectedPath}
              onSelectPath={workspace.selectPath}
              conversationId={chat.state.conversationId}
              onContextAttached={attachContext}
            />
          </Suspense>
          <Suspense fallback={<div className="preview-panel" />}>
            <PreviewPanel key={previewKey} request={workspace.previewRequest} />
          </Suspense>
        </section>
      </main>
    </div>
  );
}

/**
 * The preview panel starts over for another conversation, but not when the
 * new one it shows gets its id: that would throw away the frame it warmed up.
 */
function usePreviewPanelKey(conversationId: string | null, startedId: string | null): number {
  const [panel, setPanel] = useState({ conversationId, generation: 0 });
  if (panel.conversationId !== conversationId) {
    const gotItsId = panel.conversationId === null && conversationId === startedId;
    setPanel({ conversationId, generation: panel.generation + (gotItsId ? 0 : 1) });
  }
  return panel.generation;
}
