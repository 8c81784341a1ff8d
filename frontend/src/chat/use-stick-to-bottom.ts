import { type RefObject, useEffect, useRef } from "react";

const NEAR_BOTTOM_PX = 80;

/** Follows new content while the reader is at the bottom; leaves them be once they scroll up. */
export function useStickToBottom(ref: RefObject<HTMLElement | null>, contentKey: unknown) {
  const stuck = useRef(true);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const onScroll = () => {
      stuck.current =
        element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, [ref]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: contentKey is the trigger, not an input
  useEffect(() => {
    const element = ref.current;
    if (element && stuck.current) element.scrollTop = element.scrollHeight;
  }, [ref, contentKey]);
}
