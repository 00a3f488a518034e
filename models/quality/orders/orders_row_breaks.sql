-- depends_on: {{ ref('cfg_business_rules') }}
-- Cross-source rules of orders and order lines read these sources:
-- depends_on: {{ ref('users') }}
-- depends_on: {{ ref('sessions') }}
-- depends_on: {{ ref('products') }}
{{ row_breaks_model('orders', 'order_id', line_targets=['order_items']) }}
