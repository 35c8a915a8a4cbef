/**
 * A short message at the top of a page, announced to screen readers: a confirmation after a redirect
 * (Post/Redirect/Get; 'ok') or a hint about the page ('info'). Nothing when there is no text.
 */
export function Notice({ text, kind = 'ok' }: { text: string | undefined; kind?: 'ok' | 'info' }) {
  if (!text) return null;
  return (
    <div class={`utrecht-alert utrecht-alert--${kind}`} role="status" data-notice="">
      <p class="utrecht-paragraph">{text}</p>
    </div>
  );
}
