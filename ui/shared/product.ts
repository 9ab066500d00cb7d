export const PRODUCT_NAME = 'Switchboard';
