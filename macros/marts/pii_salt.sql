{#- The salt of every pseudonymised value in the marts: $ECOM_PII_SALT, else a public default.
    The default only keeps hashes stable between runs; set a secret salt wherever the exports
    leave the team, or the hashes of guessable values (emails) can be rebuilt. -#}
{% macro pii_salt() -%}
    {{ return(env_var('ECOM_PII_SALT', 'ecom-elt-default-salt-change-me')) }}
{%- endmacro %}
