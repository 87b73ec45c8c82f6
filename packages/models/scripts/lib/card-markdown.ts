import type { ModelCard } from '../../src/card.ts';

/** The training augmentation in words, naming only the transforms the recipe uses. */
function describeAugment(a: {
  shift?: number;
  rotate?: number;
  scale?: number;
  shear?: number;
  elastic?: { alpha: number; sigma: number };
}): string {
  const parts: string[] = [];
  if (a.shift) parts.push(`random shifts up to ${a.shift} px`);
  if (a.rotate) parts.push(`rotations up to ${a.rotate}°`);
  if (a.scale) parts.push(`scaling by up to ±${Math.round(100 * a.scale)}%`);
  if (a.shear) parts.push(`shears up to ${a.shear} px per row`);
  if (a.elastic?.alpha)
    parts.push(
      `elastic distortions (alpha ${a.elastic.alpha}, sigma ${a.elastic.sigma} px; Simard et al. 2003)`,
    );
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Renders a model card (the JSON written by evaluate.ts) as Markdown for people. */
export function renderCard(card: ModelCard): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const int = (v: number) => v.toLocaleString('en-US');
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const lines: string[] = [];
  lines.push(`# ${card.title} (\`${card.name}\`)`, '', card.summary, '');
  lines.push(
    'Every number on this card is measured by `scripts/evaluate.ts` from the shipped file.',
    '',
  );
  lines.push('## Summary', '');
  lines.push(row(['measure', 'value']), row(['---', '---']));
  lines.push(
    row([
      'test accuracy (official MNIST test digits)',
      `${pct(card.heldOut.accuracy)} (${int(card.heldOut.correct)} of ${int(card.heldOut.total)}; 95% interval ${pct(card.heldOut.interval95[0])} to ${pct(card.heldOut.interval95[1])})`,
    ]),
  );
  lines.push(
    row(['shift consistency (two random shifts up to 3 px)', pct(card.shift.consistency)]),
  );
  lines.push(row(['parameters', int(card.parameters)]));
  lines.push(row(['FLOPs per digit (a multiply-add is 2)', int(card.flops)]));
  lines.push(row(['file', `\`${card.file.name}\`, ${int(card.file.bytes)} bytes`]));
  lines.push(row(['sha256', `\`${card.file.sha256}\``]), '');
  lines.push('## Architecture', '');
  lines.push(
    row(['layer', 'kind', 'output shape', 'parameters', 'FLOPs']),
    row(['---', '---', '---', '---:', '---:']),
  );
  for (const l of card.architecture)
    lines.push(
      row([`\`${l.name}\``, l.kind, l.outputShape.join(' × '), int(l.parameters), int(l.flops)]),
    );
  lines.push('', `Input: ${card.inputShape.join(' × ')} (channels × height × width).`, '');
  lines.push('## Test accuracy by digit', '');
  lines.push(
    row(['digit', ...card.heldOut.perClass.map((c: { digit: number }) => c.digit)]),
    row(['---', ...card.heldOut.perClass.map(() => '---:')]),
  );
  lines.push(
    row(['accuracy', ...card.heldOut.perClass.map((c: { accuracy: number }) => pct(c.accuracy))]),
  );
  lines.push(row(['digits', ...card.heldOut.perClass.map((c: { count: number }) => c.count)]), '');
  lines.push('## Confusion matrix (rows: true digit, columns: predicted)', '');
  lines.push(
    row(['', ...card.heldOut.confusion.map((_: unknown, j: number) => j)]),
    row(['---', ...card.heldOut.confusion.map(() => '---:')]),
  );
  for (const [i, r] of (card.heldOut.confusion as number[][]).entries())
    lines.push(row([`**${i}**`, ...r]));
  lines.push('', '## Shifts', '');
  lines.push(
    `Shift consistency (Zhang 2019): for each test digit, ${card.shift.pairs / card.heldOut.total} rounds of two independent whole-pixel shifts (dy, dx) in [-${card.shift.maxShift}, ${card.shift.maxShift}]², zero fill; the share of ${int(card.shift.pairs)} pairs with the same top-1 class: **${pct(card.shift.consistency)}** (seed ${card.shift.seed}).`,
    '',
  );
  lines.push(
    row(['shift (px)', ...card.shift.accuracyByDx.map((p: { shift: number }) => p.shift)]),
    row(['---', ...card.shift.accuracyByDx.map(() => '---:')]),
  );
  lines.push(
    row([
      'accuracy, moved right',
      ...card.shift.accuracyByDx.map((p: { accuracy: number }) => pct(p.accuracy)),
    ]),
  );
  lines.push(
    row([
      'accuracy, moved down',
      ...card.shift.accuracyByDy.map((p: { accuracy: number }) => pct(p.accuracy)),
    ]),
    '',
  );
  lines.push('## Shortcut test', '');
  lines.push(`The mark: ${card.shortcut.mark}.`, '');
  lines.push(row(['test digits', 'accuracy']), row(['---', '---:']));
  lines.push(row(['without marks', pct(card.shortcut.clean)]));
  lines.push(row(['each with the mark of its own class', pct(card.shortcut.marked)]));
  lines.push(row(['each with the mark of another class', pct(card.shortcut.swapped)]));
  lines.push(row(['… predicted as the mark’s class', pct(card.shortcut.followsMark)]), '');
  const t = card.training;
  lines.push('## Training', '');
  lines.push(row(['setting', 'value']), row(['---', '---']));
  lines.push(
    row([
      'examples',
      `${int(t.trainingExamples)} (${card.data.training})${t.shortcutMarks ? ', each with its class mark' : ''}`,
    ]),
  );
  lines.push(
    row([
      'optimizer',
      `Adam, lr ${t.optimizer.lr} → ${t.optimizer.finalLr} (${t.schedule}), weight decay ${t.optimizer.weightDecay}`,
    ]),
  );
  lines.push(row(['epochs × batch', `${t.epochs} × ${t.batchSize}`]));
  lines.push(row(['augmentation', t.augment ? describeAugment(t.augment) : 'none']));
  lines.push(row(['seed', t.seed]));
  lines.push(
    row([
      'final training loss / accuracy',
      `${t.finalTrainLoss.toFixed(4)} / ${pct(t.finalTrainAccuracy)}`,
    ]),
  );
  lines.push(
    row([
      'training time',
      `${t.seconds.toFixed(0)} s on ${t.machine.platform} (${t.machine.cores} cores, mean load ${t.machine.meanLoad.toFixed(1)} while training), Node ${t.machine.node}, @receptive/core, one core`,
    ]),
    '',
  );
  lines.push('## Data', '');
  lines.push(
    `${card.data.source}. Trained on ${card.data.training}; every accuracy above is on ${card.data.test}. Recipes were compared on ${card.data.validation}.`,
    '',
  );
  lines.push(
    'Reproduce: `pnpm --filter @receptive/models train ' +
      card.name +
      '` then `pnpm --filter @receptive/models evaluate ' +
      card.name +
      '`.',
    '',
  );
  return `${lines.join('\n')}`;
}
