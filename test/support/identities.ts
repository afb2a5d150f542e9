/**
 * Made-up, valid and distinct identities for batch tests and the benchmark: names from a small set of
 * characters, mobile numbers 13x…, ID numbers with a real birth date and a correct MOD 11-2 check character.
 * None is a sandbox identity. With the mock's `resultFor: resultByLastDigit`, the last digit of the phone
 * decides the result, so every generated item has a known, expected answer.
 */
import type { MockOptions, MockProvider } from './mockProvider';
import { seededRandom, startMockProvider } from './mockProvider';
import { SANDBOX_ERROR_PHONES, SANDBOX_IDENTITIES } from './sandboxIdentities';

export interface GeneratedIdentity {
	name: string;
	phone: string;
	idCard: string;
}

/** The node's three fields read from such an item by expression, the way users map them. */
export const FROM_ITEM = { name: '={{ $json.name }}', phone: '={{ $json.phone }}', idCard: '={{ $json.idCard }}' };

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰'];
const PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139'];
const REGIONS = ['110101', '110105', '310104', '440305', '330106', '510107', '420102', '610113'];
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

/** The ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999). */
export function checkCharacter(first17: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
	return CHECK_CHARACTERS[sum % 11];
}

/** Result code by the phone's last digit: half match, and every other kind of answer in the rest. */
const RESULT_BY_DIGIT = ['0', '0', '0', '0', '0', '1', '1', '-1', '-2', '-6'];

/** For the mock's `resultFor` option. */
export function resultByLastDigit(fields: { phone: string }): string {
	return RESULT_BY_DIGIT[Number(fields.phone.slice(-1))];
}

/** The result the mock (with `resultFor: resultByLastDigit`) gives this identity. */
export function expectedResult(identity: GeneratedIdentity): string {
	return resultByLastDigit(identity);
}

const taken = new Set<string>([
	...SANDBOX_IDENTITIES.flatMap((p) => [p.phone, p.idCard]),
	...Object.keys(SANDBOX_ERROR_PHONES),
]);

/** `count` distinct identities; the same seed gives the same list. */
export function generateIdentities(count: number, seed = 1): GeneratedIdentity[] {
	const random = seededRandom(seed);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
	const seen = new Set<string>();
	const identities: GeneratedIdentity[] = [];
	while (identities.length < count) {
		const name = pick(SURNAMES) + pick(GIVEN) + (random() < 0.5 ? pick(GIVEN) : '');
		const phone = pick(PREFIXES) + digits(8);
		const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(random() * 55 * 365.25) * 86_400_000);
		const first17 =
			pick(REGIONS) + birth.toISOString().slice(0, 10).replace(/-/g, '') + String(Math.floor(random() * 1000)).padStart(3, '0');
		const idCard = first17 + checkCharacter(first17);
		if (seen.has(phone) || seen.has(idCard) || taken.has(phone) || taken.has(idCard)) continue;
		seen.add(phone);
		seen.add(idCard);
		identities.push({ name, phone, idCard });
	}
	return identities;
}

/**
 * For a test file: starts mock providers that answer generated identities by `resultByLastDigit`, each closed after
 * the test that started it.
 */
export function mockProvidersPerTest(): (options?: MockOptions) => Promise<MockProvider> {
	const providers: MockProvider[] = [];
	afterEach(async () => {
		await Promise.all(providers.splice(0).map(async (provider) => await provider.close()));
	});
	return async (options = {}) => {
		const provider = await startMockProvider({ resultFor: resultByLastDigit, ...options });
		providers.push(provider);
		return provider;
	};
}
