/** Lines from the code viewer saved with `POST /api/context`, attached to the next message. */
export type SelectionContext = {
  id: string;
  path: string;
  startLine: number;
  endLine: number;
  expiresAt: string;
};
