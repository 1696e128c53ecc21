// What `ferry demo` prints at the head of each of its steps, in order.

export const DEMO_STEPS = [
  '1. setup',
  '2. validate',
  '3. graph',
  '4. plan',
  '5. apply',
  '6. verify',
  '7. diff',
  '8. status',
] as const;
