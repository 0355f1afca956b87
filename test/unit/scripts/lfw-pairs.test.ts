/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imagePath, parseFolds, parsePairs, peopleInFolds } from '../../../scripts/lib/lfw-pairs';

const LFW_DIR = '/work/shared/data/lfw';

const view2Lines = [
  '2\t2',
  'Alice\t1\t2',
  'Bob\t1\t3',
  'Alice\t1\tCarol\t2',
  'Bob\t2\tDave\t1',
  'Eve\t1\t2',
  'Frank\t3\t4',
  'Eve\t2\tGina\t1',
  'Frank\t1\tHank\t11',
];
const view2 = view2Lines.join('\n') + '\n';

function withLine(lineNo: number, replacement: string | null): string {
  const lines = [...view2Lines];
  if (replacement === null) lines.splice(lineNo - 1, 1);
  else lines[lineNo - 1] = replacement;
  return lines.join('\n');
}

describe('imagePath', () => {
  it('pads the index to four digits', () => {
    expect(imagePath('Zico', 3)).toBe('Zico/Zico_0003.jpg');
    expect(imagePath('Ann_Lee', 1234)).toBe('Ann_Lee/Ann_Lee_1234.jpg');
  });
});

describe('parsePairs', () => {
  it('reads a View 2 file: matched then mismatched per fold', () => {
    const pairs = parsePairs(view2);
    expect(pairs).toHaveLength(8);
    expect(pairs[0]).toEqual({
      a: 'Alice/Alice_0001.jpg',
      b: 'Alice/Alice_0002.jpg',
      same: true,
      fold: 1,
    });
    expect(pairs[2]).toEqual({
      a: 'Alice/Alice_0001.jpg',
      b: 'Carol/Carol_0002.jpg',
      same: false,
      fold: 1,
    });
    expect(pairs[7]).toEqual({
      a: 'Frank/Frank_0001.jpg',
      b: 'Hank/Hank_0011.jpg',
      same: false,
      fold: 2,
    });
    expect(pairs.map((p) => [p.fold, p.same])).toEqual([
      [1, true],
      [1, true],
      [1, false],
      [1, false],
      [2, true],
      [2, true],
      [2, false],
      [2, false],
    ]);
  });

  it('reads a View 1 file as fold 1, with CRLF and spaces', () => {
    const pairs = parsePairs('2\r\nA 1 2\r\nB 1 2\r\nA 1 B 1\r\nC 1 D 1\r\n');
    expect(pairs.map((p) => [p.fold, p.same])).toEqual([
      [1, true],
      [1, true],
      [1, false],
      [1, false],
    ]);
    expect(pairs[3]?.b).toBe('D/D_0001.jpg');
  });

  it('names the line of a malformed pair', () => {
    expect(() => parsePairs(withLine(4, 'Alice\t1\tCarol'))).toThrow(/line 4:.*mismatched/);
    expect(() => parsePairs(withLine(6, 'Eve\t1\tX\t2'))).toThrow(/line 6:.*matched/);
    expect(() => parsePairs(withLine(3, 'Bob\tx\t3'))).toThrow(/line 3:.*"x"/);
    expect(() => parsePairs(withLine(5, ''))).toThrow(/line 5:/);
    expect(() => parsePairs(withLine(1, '2 2 2'))).toThrow(/line 1:/);
  });

  it('names the line where the counts stop matching the header', () => {
    expect(() => parsePairs(withLine(9, null))).toThrow(/line 9:.*promises 8 .*has 7/);
    expect(() => parsePairs(view2 + 'Extra\t1\t2\n')).toThrow(/line 10:.*promises 8 .*has 9/);
    expect(() => parsePairs('')).toThrow(/line 1: empty/);
  });

  it.skipIf(!existsSync(`${LFW_DIR}/pairs.txt`))('reads the real View 2 pairs.txt', () => {
    const pairs = parsePairs(readFileSync(`${LFW_DIR}/pairs.txt`, 'utf8'));
    expect(pairs).toHaveLength(6000);
    expect(pairs.filter((p) => p.same)).toHaveLength(3000);
    for (let fold = 1; fold <= 10; fold++) {
      const inFold = pairs.filter((p) => p.fold === fold);
      expect(inFold).toHaveLength(600);
      expect(inFold.filter((p) => p.same)).toHaveLength(300);
    }
    expect(pairs[0]).toEqual({
      a: 'Abel_Pacheco/Abel_Pacheco_0001.jpg',
      b: 'Abel_Pacheco/Abel_Pacheco_0004.jpg',
      same: true,
      fold: 1,
    });
    expect(pairs[5999]).toEqual({
      a: 'Slobodan_Milosevic/Slobodan_Milosevic_0002.jpg',
      b: 'Sok_An/Sok_An_0001.jpg',
      same: false,
      fold: 10,
    });
  });

  it.skipIf(!existsSync(`${LFW_DIR}/pairsDevTest.txt`))('reads the real View 1 files', () => {
    const test = parsePairs(readFileSync(`${LFW_DIR}/pairsDevTest.txt`, 'utf8'));
    expect(test).toHaveLength(1000);
    expect(test.every((p) => p.fold === 1)).toBe(true);
    const train = parsePairs(readFileSync(`${LFW_DIR}/pairsDevTrain.txt`, 'utf8'));
    expect(train).toHaveLength(2200);
  });
});

describe('peopleInFolds', () => {
  it('collects both names of every pair in the folds', () => {
    const pairs = parsePairs(view2);
    expect([...peopleInFolds(pairs, [2])].sort()).toEqual(['Eve', 'Frank', 'Gina', 'Hank']);
    expect(peopleInFolds(pairs, [1, 2]).size).toBe(8);
    expect(peopleInFolds(pairs, [3]).size).toBe(0);
  });
});

describe('parseFolds', () => {
  it('expands ranges and lists', () => {
    expect(parseFolds('6-10')).toEqual([6, 7, 8, 9, 10]);
    expect(parseFolds('1,3,5-7')).toEqual([1, 3, 5, 6, 7]);
    expect(parseFolds(' 4 , 2-3, 3 ')).toEqual([2, 3, 4]);
    expect(parseFolds('1')).toEqual([1]);
  });

  it('rejects nonsense', () => {
    for (const spec of ['', 'a', '3-1', '0', '1,,2', '1-']) {
      expect(() => parseFolds(spec), spec).toThrow(/bad fold spec/);
    }
  });
});
