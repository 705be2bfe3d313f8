/**
 * A small in-memory element, built only for one bounded piece of a camt file at a time (a `Ntry`,
 * a `Bal`, the `Acct`): the file itself is streamed. Names are local names (namespace dropped),
 * since camt versions differ only by namespace URI for the elements we read.
 */
export interface XmlElement {
  readonly name: string;
  /** 1-based line of the start tag. */
  readonly line: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

/** The first descendant along `path` (each step: first child of that name). */
export function child(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const name of path) {
    if (!current) return undefined;
    current = current.children.find((c) => c.name === name);
  }
  return current;
}

/** All children of `element` named `name`. */
export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** Trimmed text of the element at `path`, or null when absent or empty. */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | null {
  const found = child(element, ...path);
  if (!found) return null;
  const text = found.text.trim();
  return text === "" ? null : text;
}
