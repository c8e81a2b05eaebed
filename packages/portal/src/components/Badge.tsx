/** A status word with a colour that is never its only signal (the word is always there). */
export const Badge = ({ value, label }: { readonly value: string; readonly label?: string }) => (
  <span className={`badge badge-${value.replaceAll("_", "-")}`}>{label ?? value.replaceAll("_", " ")}</span>
)
