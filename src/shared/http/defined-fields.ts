/** The fields a client actually sent: a DTO instance also carries its undeclared fields as undefined. */
export function definedFields<T extends object>(dto: T): Partial<T> {
  return Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as Partial<T>;
}
