// The small vocabulary of legacy column names: short forms everybody reads the same way, a few words
// that mean the same, and opposites (a `discontinued` flag is the reverse of `active`).

/** Short forms: as good as the word itself. */
const ABBREVIATIONS: Readonly<Record<string, readonly string[]>> = {
  name: ['nm', 'nme'],
  number: ['no', 'num', 'nbr', 'nr'],
  quantity: ['qty'],
  amount: ['amt'],
  code: ['cd'],
  description: ['desc', 'descr'],
  address: ['addr'],
  email: ['email_address', 'email_addr', 'e_mail', 'mail_address'],
  count: ['cnt'],
  telephone: ['tel', 'phone', 'phone_number', 'phone_no'],
  message: ['msg'],
  percent: ['pct'],
  average: ['avg'],
  organization: ['org', 'organisation'],
  department: ['dept'],
  employee: ['emp'],
  manager: ['mgr'],
  customer: ['cust'],
  account: ['acct'],
  reference: ['ref'],
  sequence: ['seq'],
  position: ['pos'],
  value: ['val'],
  text: ['txt'],
  image: ['img'],
  identifier: ['ident'],
};

/** Different words for the same thing: a little weaker evidence than a short form. */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  active: ['enabled'],
  updated: ['modified', 'changed'],
  deleted: ['removed'],
  postcode: ['zip', 'zipcode', 'zip_code', 'postal_code'],
  last_name: ['surname', 'family_name'],
  first_name: ['given_name', 'forename'],
  birth_date: ['date_of_birth', 'dob', 'birthdate', 'birthday'],
  gender: ['sex'],
};

/** Flags whose meaning is the reverse of the key's. */
const OPPOSITES: Readonly<Record<string, readonly string[]>> = {
  active: ['inactive', 'disabled', 'deleted', 'discontinued', 'archived', 'retired'],
  enabled: ['disabled'],
  visible: ['hidden'],
  available: ['unavailable', 'discontinued'],
};

export const ABBREVIATION_COST = 0.1;
export const SYNONYM_COST = 0.15;

export interface Phrase {
  /** A short form (`qty`) or another word for the same thing (`modified`). */
  readonly kind: 'short form' | 'synonym';
  /** The words of the variant as written, e.g. `email`, `addr`. */
  readonly words: readonly string[];
  /** The canonical words it stands for. */
  readonly canonical: readonly string[];
  readonly cost: number;
}

function phrases(
  table: Readonly<Record<string, readonly string[]>>,
  kind: Phrase['kind'],
  cost: number,
): Phrase[] {
  return Object.entries(table).flatMap(([canonical, variants]) =>
    variants.map((variant) => ({ kind, words: variant.split('_'), canonical: canonical.split('_'), cost })),
  );
}

/** Every variant, longest first so `email_addr` is read before `addr`. */
export const PHRASES: readonly Phrase[] = [
  ...phrases(ABBREVIATIONS, 'short form', ABBREVIATION_COST),
  ...phrases(SYNONYMS, 'synonym', SYNONYM_COST),
].sort((a, b) => b.words.length - a.words.length);

/** Whether a flag named `source` means the opposite of one named `target` (`discontinued`, `active`). */
export function areOpposites(target: string, source: string): boolean {
  return OPPOSITES[target]?.includes(source) === true || OPPOSITES[source]?.includes(target) === true;
}
