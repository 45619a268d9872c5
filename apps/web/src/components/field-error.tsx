/** A form's error line, announced to screen readers; `id` is what the field's aria-describedby names. */
export function FieldError({ id, error, className = "" }: { id?: string; error: string | null | undefined; className?: string }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className={`text-sm text-red-700 dark:text-red-400 ${className}`.trim()}>
      {error}
    </p>
  );
}
