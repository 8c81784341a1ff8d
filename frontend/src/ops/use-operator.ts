import { useEffect, useState } from "react";
import { getMe } from "../api/endpoints.ts";

/** Whether the signed-in person is a platform operator (shows the Ops link). */
export function useIsOperator(signedIn: boolean): boolean {
  const [operator, setOperator] = useState(false);

  useEffect(() => {
    if (!signedIn) return;
    let cancelled = false;
    void getMe().then((result) => {
      if (!cancelled && result.ok) setOperator(result.data.user.isPlatformOperator === true);
    });
    return () => {
      cancelled = true;
    };
  }, [signedIn]);

  return operator;
}
