/**
 * Parses a YAML stream one document at a time: the text goes through the `yaml` library's
 * lexer, parser and composer by hand (what `parseAllDocuments` does, minus keeping every
 * document), so that
 * - only one document's syntax tree is alive at a time, whatever the number of documents;
 * - nesting is checked after every token, on the parser's stack, and parsing stops at the
 *   first collection past the limit: before the composer and `toJS`, which recurse once per
 *   level, could overflow the stack, and before the parser built a tree of millions of levels
 *   (a 50 MB file of `[` took 3.5 GB that way);
 * - documents with aliases are known, so only those get their plain value checked as well.
 */
import { Composer, CST, Lexer, Parser, type Document, type LineCounter } from 'yaml';
import { collectionPastDepth } from './depth.ts';
import { InputError } from './input-error.ts';

export interface StreamedDocument {
  document: Document.Parsed;
  /** Whether an alias (`*name`) occurs in it: its value may then share or repeat objects. */
  hasAlias: boolean;
}

/**
 * @param lineCounter filled with the text's line starts as parsing goes.
 * @throws InputError naming the line and column where nesting passed `maxDepth`.
 */
export function* streamDocuments(text: string, file: string, lineCounter: LineCounter, maxDepth: number): Generator<StreamedDocument> {
  const parser = new Parser(lineCounter.addNewLine);
  // Duplicate keys are syntax errors: a reader cannot tell which of the two values counts.
  const composer = new Composer({ uniqueKeys: true });
  const aliases: number[] = [];
  let nextAlias = 0;
  const streamed = (document: Document.Parsed): StreamedDocument => {
    const [start, , end] = document.range;
    while (nextAlias < aliases.length && (aliases[nextAlias] ?? end) < start) nextAlias++;
    return { document, hasAlias: (aliases[nextAlias] ?? end) < end };
  };
  lineCounter.addNewLine(0);
  let scalarSource = false;
  for (const lexeme of new Lexer().lex(text)) {
    // A lexeme after the scalar marker is a scalar's text, which may start with `*` too.
    if (!scalarSource && lexeme.startsWith('*')) aliases.push(parser.offset);
    scalarSource = lexeme === CST.SCALAR;
    for (const token of parser.next(lexeme)) {
      for (const document of composer.next(token)) yield streamed(document);
    }
    const deep = collectionPastDepth(parser.stack, maxDepth);
    if (deep !== undefined) {
      const { line, col } = lineCounter.linePos(deep);
      throw new InputError(`${file}:${line}:${col}: YAML nested deeper than ${maxDepth} levels of mappings and sequences; no Kubernetes object nests that deep`);
    }
  }
  for (const token of parser.end()) {
    for (const document of composer.next(token)) yield streamed(document);
  }
  for (const document of composer.end()) yield streamed(document);
}
